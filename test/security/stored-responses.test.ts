// #23.5, #23.3: stored responses are separated by org. Every response id the gateway sees is recorded with its org,
// model and backend, streamed creates too (Codex streams every one); an unknown or another org's id is refused
// with 404 response_not_found (read, list, cancel, delete, previous_response_id) before the upstream is asked; the
// owners live in Redis when there is one, so a second instance agrees; item requests go to the backend that made the
// response; a continuation reserves the stored tokens it is billed again.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { responsesSse } from "../helpers/responses-upstream";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let n = 0;
const made = (port: string) => `resp_${port}_${process.pid}_${++n}`;
/** Two upstreams (two backends of one model): each answers with ids that name it. */
const upstreams = [0, 1].map((k) =>
  startMockUpstream((req, json) => {
    if (req.method !== "POST") return { body: JSON.stringify({ id: req.path.split("/")[3], object: "response", backend: k }) };
    const id = made(`b${k}`);
    if (json?.stream)
      return { chunks: [responsesSse([{ type: "message", text: "hi" }], { input_tokens: 300_000, output_tokens: 10 }).replaceAll("resp_up", id)] };
    return { body: JSON.stringify({ id, object: "response", status: "completed", output: [], usage: { input_tokens: 300_000, output_tokens: 10 } }) };
  }),
);
afterAll(() => {
  for (const u of upstreams) u.stop();
});

const config = (prefix: string) => `
server: { redis_url: "${REDIS_URL}", redis_key_prefix: "${prefix}" }
backends:
  a: { base_url: "${upstreams[0]!.url}", api: openai-responses, price: { input: 1, output: 2 } }
  b: { base_url: "${upstreams[1]!.url}", api: openai-responses, price: { input: 1, output: 2 } }
models:
  gpt-x: { access: internal, backends: { "default:1": { use: a }, "other:1": { use: b } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_per_day: 0.5 }, models: { gpt-x: } }
  rival: { api_keys: { bob: key-rival-bob }, models: { gpt-x: } }
`;
const prefix = `octollm-test-resp-${crypto.randomUUID()}:`;
const one = await createLoggedGateway(config(prefix));
const two = await createLoggedGateway(config(prefix)); // a second instance on the same Redis
afterAll(async () => {
  await one.gw.shutdown();
  await two.gw.shutdown();
});

const call = (gw: typeof one.gw, method: string, path: string, key: string, body?: object) =>
  gw.fetch(new Request(`http://gw${path}`, { method, headers: { authorization: `Bearer ${key}` }, body: body && JSON.stringify(body) }));
const create = async (stream: boolean) => {
  const r = await call(one.gw, "POST", "/v1/responses", "key-acme-alice", { model: "gpt-x", input: "hi", stream, max_output_tokens: 10 });
  const text = await r.text();
  await Bun.sleep(20);
  return stream ? /"id":"(resp_[^"]+)"/.exec(text)![1]! : JSON.parse(text).id;
};

test("a streamed and a whole create are owned by their org: another org and anonymous callers get 404, on either instance", async () => {
  for (const stream of [true, false]) {
    const id = await create(stream);
    const asked = upstreams.reduce((s, u) => s + u.seen.length, 0);
    for (const gw of [one.gw, two.gw]) {
      for (const [method, sub] of [
        ["GET", ""],
        ["GET", "/input_items"],
        ["POST", "/cancel"],
        ["DELETE", ""],
      ] as const) {
        const r = await call(gw, method, `/v1/responses/${id}${sub}`, "key-rival-bob");
        expect([method, sub, r.status, ((await r.json()) as any).error.code]).toEqual([method, sub, 404, "response_not_found"]);
      }
      const cont = await call(gw, "POST", "/v1/responses", "key-rival-bob", { model: "gpt-x", input: "more", previous_response_id: id });
      expect(cont.status).toBe(404);
    }
    expect(upstreams.reduce((s, u) => s + u.seen.length, 0)).toBe(asked); // the upstream was never asked
    // the owner reads it on the other instance, at the backend that made it
    const own = await call(two.gw, "GET", `/v1/responses/${id}`, "key-acme-alice");
    expect(own.status).toBe(200);
    expect(((await own.json()) as any).backend).toBe(id.includes("_b0_") ? 0 : 1);
  }
});

test("ids the gateway never saw are refused for everyone", async () => {
  const r = await call(one.gw, "GET", "/v1/responses/resp_never_seen", "key-acme-alice");
  expect([r.status, ((await r.json()) as any).error.code]).toEqual([404, "response_not_found"]);
  const c = await call(one.gw, "POST", "/v1/responses", "key-acme-alice", { model: "gpt-x", input: "x", previous_response_id: "resp_never_seen" });
  expect(c.status).toBe(404);
});

test("item requests go to the backend that made the response, every time", async () => {
  const ids = [await create(false), await create(false), await create(false), await create(false)];
  for (const id of ids) {
    for (let i = 0; i < 3; i++) {
      const r = await call(one.gw, "GET", `/v1/responses/${id}`, "key-acme-alice");
      expect(r.status).toBe(200);
      expect(((await r.json()) as any).backend).toBe(id.includes("_b0_") ? 0 : 1);
    }
  }
});

test("a continuation reserves the stored context it is billed again: past the budget it is refused before it is sent", async () => {
  // the stored response holds 300 010 tokens ($0.60 at the $2 top rate): more than the $0.50 budget can reserve
  const id = await create(false);
  const r = await call(one.gw, "POST", "/v1/responses", "key-acme-alice", { model: "gpt-x", input: "go on", previous_response_id: id, max_output_tokens: 10 });
  expect(r.status).toBe(429);
  expect(((await r.json()) as any).error.code).toBe("budget_exceeded");
});
