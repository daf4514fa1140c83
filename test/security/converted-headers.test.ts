// #24.8: on a converted route only the client headers that mean something to the target API go upstream: Claude
// Code's and the SDKs' own headers (anthropic-dangerous-direct-browser-access, anthropic-beta, x-stainless-*,
// x-claude-code-*, Codex's session and x-codex-* headers) stay behind; the backend's extra_headers still go.
import { afterAll, expect, test } from "bun:test";
import { convertingGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream(); // whole canned answers in the protocol each path names
afterAll(() => upstream.stop());
const { gw } = await convertingGateway(upstream.url, "extra_headers: { x-tenant: blue }");
afterAll(() => gw.shutdown());

const clientHeaders = {
  "anthropic-version": "2023-06-01",
  "anthropic-beta": "interleaved-thinking-2025-05-14",
  "anthropic-dangerous-direct-browser-access": "true",
  "x-stainless-os": "Linux",
  "x-stainless-package-version": "1.0",
  "x-claude-code-session-id": "s-1",
  "x-codex-turn-metadata": "t",
  originator: "codex_cli_rs",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  "user-agent": "claude-cli/2.1",
};

test("an Anthropic client on a chat backend: only generic headers and extra_headers go upstream", async () => {
  const r = await gw.fetch(
    new Request("http://gw/v1/messages", {
      method: "POST",
      headers: clientHeaders,
      body: JSON.stringify({ model: "on-chat", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    }),
  );
  expect(r.status).toBe(200);
  const seen = upstream.seen.at(-1)!.headers;
  for (const h of [
    "anthropic-version",
    "anthropic-beta",
    "anthropic-dangerous-direct-browser-access",
    "x-stainless-os",
    "x-claude-code-session-id",
    "x-codex-turn-metadata",
    "originator",
  ])
    expect([h, seen[h]]).toEqual([h, undefined]);
  expect([seen.traceparent, seen["user-agent"], seen["x-tenant"]]).toEqual([clientHeaders.traceparent, "claude-cli/2.1", "blue"]);
});

test("a chat client on an Anthropic backend: its SDK headers stay behind; the Anthropic version is the gateway's", async () => {
  const r = await gw.fetch(
    new Request("http://gw/v1/chat/completions", {
      method: "POST",
      headers: { "x-stainless-os": "Linux", originator: "x" },
      body: JSON.stringify({ model: "on-claude", messages: [{ role: "user", content: "hi" }] }),
    }),
  );
  expect(r.status).toBe(200);
  const seen = upstream.seen.at(-1)!.headers;
  expect([seen["x-stainless-os"], seen.originator, seen["anthropic-version"]]).toEqual([undefined, undefined, "2023-06-01"]);
});
