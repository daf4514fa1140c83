// The stored-response endpoints (#16.3): GET / DELETE /v1/responses/{id}, POST …/cancel, GET …/input_items reach
// the backend the response came from, for its own org only; converted routes store nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startScriptedUpstream } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startScriptedUpstream>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startScriptedUpstream();
  gw = startGateway(`
backends:
  openai: { base_url: "${upstream.url}", api: [openai-responses, openai-chat] }
  chat: { base_url: "${upstream.url}", api: openai-chat }
models:
  gpt-a: { backends: { "default:1": { use: openai } } }
  gpt-b: { backends: { "default:1": { use: openai } } }
  gpt-chat: { backends: { "default:1": { use: chat } } }
users:
  acme: { api_keys: { alice: key-acme-alice }, models: { gpt-a: , gpt-b: , gpt-chat: } }
  rival: { api_keys: { bob: key-rival-bob }, models: { gpt-a: , gpt-b: , gpt-chat: } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const call = (method: string, path: string, key: string, headers: Record<string, string> = {}, body?: object) =>
  fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...headers }, body: body && JSON.stringify(body) });

describe("stored responses", () => {
  test("a stored response is read, listed, cancelled and deleted at its backend, by its own org only", async () => {
    upstream.next = {
      body: JSON.stringify({
        id: "resp_abc123",
        object: "response",
        status: "completed",
        output: [],
        usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      }),
    };
    const created = await call("POST", "/v1/responses", "key-acme-alice", {}, { model: "gpt-b", input: "hi", store: true });
    expect(created.status).toBe(200);
    for (const [method, path] of [
      ["GET", "/v1/responses/resp_abc123"],
      ["GET", "/v1/responses/resp_abc123/input_items?limit=5"],
      ["POST", "/v1/responses/resp_abc123/cancel"],
      ["DELETE", "/v1/responses/resp_abc123"],
    ] as const) {
      upstream.next = { body: JSON.stringify({ id: "resp_abc123", object: "response" }) };
      const r = await call(method, path, "key-acme-alice");
      expect([method, path, r.status]).toEqual([method, path, 200]);
      const seen = upstream.seen.at(-1)!;
      expect([seen.method, seen.path, seen.headers.authorization, seen.body.byteLength]).toEqual([method, path, undefined, 0]);
    }
    const before = upstream.seen.length;
    const rival = await call("GET", "/v1/responses/resp_abc123", "key-rival-bob");
    expect([rival.status, ((await rival.json()) as any).error.code]).toEqual([404, "response_not_found"]);
    const named = await call("GET", "/v1/responses/resp_abc123", "key-rival-bob", { "x-octollm-model": "gpt-a" });
    expect(named.status).toBe(404); // naming a model does not get around the owner check
    const anonymous = await call("GET", "/v1/responses/resp_abc123", "not-a-key", { "x-octollm-model": "gpt-a" });
    expect(anonymous.status).toBe(401); // nor does a key that is no one's: it is refused
    expect(upstream.seen.length).toBe(before);
  });

  test("an unknown id is refused before the upstream is asked, even when x-octollm-model names the model (#23.5)", async () => {
    const before = upstream.seen.length;
    const r = await call("GET", "/v1/responses/resp_unknown", "key-acme-alice");
    const e = ((await r.json()) as any).error;
    expect([r.status, e.code]).toEqual([404, "response_not_found"]);
    const named = await call("GET", "/v1/responses/resp_unknown", "key-acme-alice", { "x-octollm-model": "gpt-a" });
    expect([named.status, ((await named.json()) as any).error.code]).toEqual([404, "response_not_found"]);
    expect(upstream.seen.length).toBe(before);
  });

  test("a converted route stores nothing: 404 response_not_found; bad ids, paths and methods are refused", async () => {
    const before = upstream.seen.length;
    const converted = await call("GET", "/v1/responses/resp_x", "key-acme-alice", { "x-octollm-model": "gpt-chat" });
    expect([converted.status, ((await converted.json()) as any).error.code]).toEqual([404, "response_not_found"]);
    expect((await call("GET", "/v1/responses/..%2f..%2fadmin", "key-acme-alice", { "x-octollm-model": "gpt-a" })).status).toBe(404);
    expect((await call("GET", "/v1/responses/resp_x/other", "key-acme-alice", { "x-octollm-model": "gpt-a" })).status).toBe(404);
    const method = await call("PUT", "/v1/responses/resp_x", "key-acme-alice", { "x-octollm-model": "gpt-a" });
    expect([method.status, method.headers.get("allow")]).toEqual([405, "GET, DELETE"]);
    expect(upstream.seen.length).toBe(before);
  });
});
