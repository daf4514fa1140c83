// The library's public API is chosen name by name (#13.5): the building blocks are there, internals are not.
import { expect, test } from "bun:test";
import * as api from "../../src/index";

test("the public names a library user composes with are exported, internals are not", () => {
  const names = Object.keys(api);
  for (const name of [
    "createGateway",
    "Gateway",
    "HttpUpstreamEngine",
    "BalancerEngine",
    "RewriteEngine",
    "MessagesFromChatEngine",
    "ConversionEngine",
    "loadConfigText",
    "startServer",
    "chatCompletionsHandler",
    "GatewayError",
    "LazyBody",
    "StreamPipeline",
  ]) {
    expect(names).toContain(name);
  }
  for (const internal of [
    "scanTopLevel",
    "indexTopLevel",
    "migrate",
    "concatBytes",
    "readAnswer",
    "estimateInputTokensFromBytes",
    "takeIfComplete",
    "SECRET_PARAMS",
    "replaceConfig",
    "insertKey",
  ]) {
    expect(names).not.toContain(internal);
  }
  expect(names.length).toBeLessThan(90);
});
