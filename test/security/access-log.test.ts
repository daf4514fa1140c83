// #12.21: the access log shows upstream failures: the upstream's own status, its message (redacted, bounded)
// and the model name sent upstream; an unknown route is not called an unknown model.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Logger } from "../../src/core";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
beforeAll(() => {
  upstream = startMockUpstream(() => ({
    status: 401,
    body: `{"error":{"message":"Incorrect API key provided: sk-upstream-secret. ${"x".repeat(1000)}","type":"invalid_request_error"}}`,
  }));
  gw = startGateway(
    `
models:
  pass:
    backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-upstream-secret, request_rewrites: { set_keys: { model: provider-model-7 } } } }
  conv:
    backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-upstream-secret, convert_to_messages: from_chat } }
`,
    {},
  );
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

test("an upstream 4xx on pass-through: upstream_error with its status, message and upstream model", async () => {
  const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "pass", messages: [] }) });
  expect(r.status).toBe(502); // the upstream refused the gateway's key (#14.6)
  await r.text();
  const line = gw.logs.at(-1);
  expect(line.outcome).toBe("upstream_error");
  expect(line.upstream_status).toBe(401);
  expect(line.upstream_model).toBe("provider-model-7");
  expect(line.error).toContain("Incorrect API key provided");
  expect(line.error.length).toBeLessThanOrEqual(300);
});

test("an upstream 401 on a converted route is logged as the upstream's 401, not the client's 500", async () => {
  const r = await fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    body: JSON.stringify({ model: "conv", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
  });
  await r.text();
  const line = gw.logs.at(-1);
  expect(line.upstream_status).toBe(401);
  expect(line.upstream_errors).toEqual([{ backend: "default:1", kind: "http_401" }]);
  expect(line.upstream_model).toBe("conv");
});

test("an unknown route is not an unknown model; text logs print no undefined fields", async () => {
  const r = await fetch(`${gw.url}/v1/nope`, { method: "POST", body: "{}" });
  expect(r.status).toBe(404);
  expect(((await r.json()) as any).error.code).toBe("not_found");
  const unknownModel = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "nope", messages: [] }) });
  expect(((await unknownModel.json()) as any).error.code).toBe("model_not_found");
  expect(new Logger().render("info", "access", { model: "m", backend: undefined }, "text")).not.toContain("undefined");
});

test("the upstream key in an upstream's error message is redacted in the log line", () => {
  const log = new Logger(() => {});
  log.setSecrets(["sk-upstream-secret"]);
  expect(log.render("info", "access", { error: "Incorrect API key provided: sk-upstream-secret." }, "json")).not.toContain("sk-upstream-secret");
});
