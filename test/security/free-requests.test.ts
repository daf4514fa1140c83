// #23.3, #23.8, #23.9: what is never charged, and what is never served. Token counts reserve nothing (two counts of
// a large prompt used $0.80 of a $1 budget); polling a stored response does not bill it again (1 create + 5 polls
// were recorded as 6×); a background response, whose cost the gateway could never settle, is refused.
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const responseObject = JSON.stringify({
  id: "resp_abc",
  object: "response",
  status: "completed",
  output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] }],
  usage: { input_tokens: 100_000, output_tokens: 10_000 },
});
const upstream = startMockUpstream((req) => {
  if (req.path.includes("count_tokens")) return { body: `{"input_tokens":400000}` };
  if (req.path.includes("input_tokens")) return { body: `{"object":"response.input_tokens","input_tokens":400000}` };
  return { body: responseObject };
});
afterAll(() => upstream.stop());

const { gw, lines } = await createLoggedGateway(`
backends:
  paid: { base_url: "${upstream.url}", api: [openai-responses, anthropic-messages], price: { input: 1, output: 10 } }
models:
  m: { backends: { "default:1": { use: paid } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice }
    budgets: { usd_per_day: 1 }
    models: { m: }
`);
afterAll(() => gw.shutdown());

const call = async (method: string, path: string, body?: object) => {
  const r = await gw.fetch(
    new Request(`http://gw${path}`, {
      method,
      headers: { authorization: "Bearer key-acme-alice", "x-octollm-model": "m" },
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
  const text = await r.text();
  await Bun.sleep(5);
  gw.accessLog.flush();
  return { status: r.status, text, line: lines.filter((l) => l.msg === "access").at(-1) };
};
const spent = async () => {
  const r = await gw.fetch(new Request("http://gw/v1/usage", { headers: { authorization: "Bearer key-acme-alice" } }));
  return ((await r.json()) as any).budgets[0].spent as number;
};
// a prompt of ~1.2M characters: its estimate (~300k tokens, $0.30 at $1/M in) would be reserved by a generating request
const big = "word ".repeat(240_000);

test("token counts pass a nearly spent budget, reserve nothing and cost nothing", async () => {
  for (let i = 0; i < 5; i++) {
    const a = await call("POST", "/v1/messages/count_tokens", { model: "m", messages: [{ role: "user", content: big }] });
    expect(a.status).toBe(200);
    expect(a.line.cost_usd).toBeUndefined();
    const b = await call("POST", "/v1/responses/input_tokens", { model: "m", input: big });
    expect(b.status).toBe(200);
    expect(b.line.cost_usd).toBeUndefined();
  }
  expect(await spent()).toBe(0);
});

test("polling a stored response costs nothing: only the create is charged", async () => {
  const created = await call("POST", "/v1/responses", { model: "m", input: "hi" });
  expect(created.status).toBe(200);
  expect(created.line.cost_usd).toBeCloseTo(0.2, 9);
  for (const [method, path] of [
    ["GET", "/v1/responses/resp_abc"],
    ["GET", "/v1/responses/resp_abc"],
    ["POST", "/v1/responses/resp_abc/cancel"],
    ["GET", "/v1/responses/resp_abc/input_items"],
  ] as const) {
    const r = await call(method, path);
    expect(r.status).toBe(200);
    expect(r.line.cost_usd).toBeUndefined();
    expect(r.line.tokens_in).toBeUndefined();
  }
  expect(await spent()).toBeCloseTo(0.2, 6);
});

test("background: true is refused with 400 naming the field, before anything is sent upstream", async () => {
  const before = upstream.seen.length;
  const r = await call("POST", "/v1/responses", { model: "m", input: "hi", background: true });
  expect(r.status).toBe(400);
  expect(JSON.parse(r.text).error.param).toBe("background");
  expect(upstream.seen.length).toBe(before);
  expect((await call("POST", "/v1/responses", { model: "m", input: "hi", background: false })).status).toBe(200);
});

test("Anthropic max_tokens: null is refused (Anthropic requires an integer)", async () => {
  const r = await call("POST", "/v1/messages", { model: "m", max_tokens: null, messages: [{ role: "user", content: "hi" }] });
  expect(r.status).toBe(400);
  expect(JSON.parse(r.text).error.message).toContain("max_tokens");
});
