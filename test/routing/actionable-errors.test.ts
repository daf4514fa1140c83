// Errors Claude Code can act on (#14.6): a refused upstream key is the gateway's problem (502, no retry, no
// "/login"), retry advice survives conversion, the gateway's own refusals say whether to retry, unknown routes 404.
import { afterAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream((req) => {
  const key = req.headers.authorization ?? req.headers["x-api-key"] ?? "";
  if (key.includes("bad-key")) return { status: 401, body: `{"error":{"message":"Incorrect API key provided: sk-bad***","type":"invalid_request_error"}}` };
  if (key.includes("forbidden"))
    return { status: 403, body: `{"type":"error","error":{"type":"permission_error","message":"this key may not use the model"}}` };
  if (key.includes("busy"))
    return { status: 429, headers: { "retry-after": "7", "x-should-retry": "true" }, body: `{"error":{"message":"slow down","type":"rate_limit"}}` };
  return {};
});
afterAll(() => upstream.stop());

const yaml = `
models:
  bad-pass: { backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-bad-key-000 } } }
  bad-conv: { backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-bad-key-000, convert_to_messages: from_chat } } }
  forbidden: { backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-forbidden-0, convert_to_chat: from_messages } } }
  failover:
    backends:
      "default:2": { base_url: "${upstream.url}", api_key: sk-bad-key-000 }
      "default:1": { base_url: "${upstream.url}", api_key: sk-good-key-00 }
  busy: { backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-busy-key-00, convert_to_messages: from_chat } } }
  internal-one: { access: internal, backends: { "default:1": { provider: mock } } }
`;
let gw: Gateway;
const ready = (async () => {
  const loaded = loadConfigText(yaml, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  gw = await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } });
})();
const call = async (path: string, body: object, headers: Record<string, string> = {}) => {
  await ready;
  return gw.fetch(new Request(`http://gw${path}`, { method: "POST", headers, body: JSON.stringify(body) }));
};
const messages = (model: string) => ({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] });

describe("a refused upstream key", () => {
  for (const [model, path, status] of [
    ["bad-pass", "/v1/chat/completions", 401],
    ["bad-conv", "/v1/messages", 401],
    ["forbidden", "/v1/chat/completions", 403],
  ] as const) {
    test(`${model}: 502 naming the backend and quoting the upstream, x-should-retry false`, async () => {
      const r = await call(path, messages(model));
      expect(r.status).toBe(502);
      expect(r.headers.get("x-should-retry")).toBe("false");
      const message = ((await r.json()) as any).error.message as string;
      expect(message).toContain("backend default:1 refused the gateway's upstream credentials");
      expect(message).toContain(`upstream ${status}`);
      expect(message).toContain(status === 401 ? "Incorrect API key provided" : "this key may not use the model");
    });
  }
  test("another backend with a working key serves the request", async () => {
    for (let i = 0; i < 3; i++) expect((await call("/v1/chat/completions", messages("failover"))).status).toBe(200);
  });
  test("the Anthropic SDK gives up at once instead of retrying for minutes", async () => {
    await ready;
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => gw.fetch(req) });
    try {
      const client = new Anthropic({ baseURL: `http://127.0.0.1:${server.port}`, apiKey: "sk-client", maxRetries: 5 });
      const seen = upstream.seen.length;
      const started = performance.now();
      const err = await client.messages.create(messages("bad-conv") as any).catch((e) => e);
      expect(err.status).toBe(502);
      expect(upstream.seen.length - seen).toBe(1); // one try, no retries
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      server.stop(true);
    }
  });
});

describe("retry advice", () => {
  test("a converted 429 keeps the upstream's retry-after and x-should-retry", async () => {
    const r = await call("/v1/messages", messages("busy"));
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(r.headers.get("x-should-retry")).toBe("true");
  });
  test("the gateway's own refusals: 4xx say do not retry", async () => {
    const internal = await call("/v1/chat/completions", messages("internal-one"));
    expect(internal.status).toBe(404); // anonymous callers are told of a model they may not use what they are told of an unknown one
    expect(internal.headers.get("x-should-retry")).toBe("false");
    const bad = await call("/v1/chat/completions", { model: "internal-one", max_tokens: -1, messages: [] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-should-retry")).toBe("false");
  });
  test("an unknown route is a 404 with code not_found", async () => {
    await ready;
    const r = await gw.fetch(new Request("http://gw/v1/nope", { method: "POST", body: "{}" }));
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.code).toBe("not_found");
  });
});
