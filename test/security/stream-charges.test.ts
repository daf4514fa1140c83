// #23.1: streams whose usage the gateway never sees are not free. A budgeted chat stream asks its upstream for
// its usage (and hides that chunk from a client that did not ask); a client that hangs up after the answer's end
// does not stop the gateway reading on for the usage; a stream cut before its usage is charged what it carried, or
// its reservation's whole output when it could have reasoned out of sight. The budget, the access log and the
// ledger record the same figure. The upstream behaves like OpenAI: stream usage only with include_usage, reasoning
// tokens billed and never shown.
import { afterAll, expect, test } from "bun:test";
import { chunk, d } from "../fixtures/openai-streams";
import { freshSqlitePath } from "../helpers/databases";
import { createLoggedGateway } from "../helpers/gateway";
import { readUntil } from "../helpers/requests";
import { startMockUpstream } from "../helpers/mock-upstream";
import { responsesSse } from "../helpers/responses-upstream";
import { openDatabase } from "../../src/config";

// 100 tokens in, 2000 out (1990 of them hidden reasoning) at $1 / $10 per million: $0.0201 a request
const USAGE = { prompt_tokens: 100, completion_tokens: 2000, total_tokens: 2100, completion_tokens_details: { reasoning_tokens: 1990 } };
const COST = (100 * 1 + 2000 * 10) / 1e6;
const visible = [chunk({ role: "assistant", content: "" }), chunk({ content: "The answer" }), chunk({ content: " is 42." }), chunk({}, "stop")];
let delayMs = 0;
let responsesHold = false;
const upstream = startMockUpstream((req, json) => {
  if (req.path.startsWith("/v1/responses")) {
    const sse = responsesSse(
      [
        { type: "reasoning", summary: "thinking" },
        { type: "message", text: "x".repeat(400) },
      ],
      { input_tokens: 100, output_tokens: 2000 },
    );
    const events = sse.split(/(?<=\n\n)/);
    return { chunks: events, delayMs: responsesHold ? 60 : 0 };
  }
  const usage = json?.stream_options?.include_usage === true ? [d({ id: "c1", object: "chat.completion.chunk", choices: [], usage: USAGE })] : [];
  return { chunks: [...visible, ...usage, "data: [DONE]\n\n"], delayMs };
});
afterAll(() => upstream.stop());

const ledgerPath = freshSqlitePath();
const { gw, lines } = await createLoggedGateway(`
server: { usage_db: "${ledgerPath}" }
backends:
  paid: { base_url: "${upstream.url}", api: [openai-chat, openai-responses], price: { input: 1, output: 10 } }
models:
  m: { backends: { "default:1": { use: paid } } }
  o4-mini: { backends: { "default:1": { use: paid } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice }
    budgets: { usd_per_day: 100 }
    models: { m: , o4-mini: }
`);
afterAll(() => gw.shutdown());

const post = (path: string, body: object) =>
  gw.fetch(new Request(`http://gw${path}`, { method: "POST", headers: { authorization: "Bearer key-acme-alice" }, body: JSON.stringify(body) }));
const lastLine = async () => {
  await Bun.sleep(20);
  gw.accessLog.flush();
  return lines.filter((l) => l.msg === "access").at(-1);
};
const spent = async () => {
  const r = await gw.fetch(new Request("http://gw/v1/usage", { headers: { authorization: "Bearer key-acme-alice" } }));
  return ((await r.json()) as any).budgets[0].spent as number;
};
const chat = (extra: object = {}) => ({ model: "m", stream: true, max_tokens: 4000, messages: [{ role: "user", content: "hi" }], ...extra });

test("a budgeted chat stream without include_usage asks for it upstream, hides it from the client, and is charged exactly", async () => {
  const before = upstream.seen.length;
  const res = await post("/v1/chat/completions", chat());
  const text = await res.text();
  expect(JSON.parse(new TextDecoder().decode(upstream.seen[before]!.body)).stream_options).toEqual({ include_usage: true });
  expect(text).toBe([...visible, "data: [DONE]\n\n"].join("")); // the client's bytes: what it would have got without the gateway
  const line = await lastLine();
  expect(line.cost_usd).toBeCloseTo(COST, 12);
  expect(line.usage_estimated).toBeUndefined();
  // a client that asked gets the usage chunk, as sent
  const asked = await (await post("/v1/chat/completions", chat({ stream_options: { include_usage: true } }))).text();
  expect(asked).toContain(`"usage":{"prompt_tokens":100`);
});

test("a client that hangs up after the finish reason does not hide the usage that follows", async () => {
  delayMs = 80;
  try {
    const res = await post("/v1/chat/completions", chat());
    await readUntil(res, `"finish_reason":"stop"`);
    await Bun.sleep(400);
    const line = await lastLine();
    expect(line.outcome).toBe("client_closed");
    expect(line.cost_usd).toBeCloseTo(COST, 12);
    expect(line.usage_estimated).toBeUndefined();
  } finally {
    delayMs = 0;
  }
});

test("a hang-up mid-answer: a request that could reason keeps its reservation's whole output, one that could not pays what it carried", async () => {
  delayMs = 80;
  try {
    await readUntil(await post("/v1/chat/completions", chat({ model: "o4-mini" })), "The answer");
    await Bun.sleep(200);
    const reasoning = await lastLine();
    expect(reasoning.estimate).toBe("reasoning_reserved");
    expect(reasoning.usage_estimated).toBe(true);
    expect(reasoning.tokens_out).toBeGreaterThanOrEqual(4000); // max_tokens: what a reasoning model may have spent out of sight
    expect(reasoning.cost_usd).toBeGreaterThanOrEqual((4000 * 10) / 1e6);
    await readUntil(await post("/v1/chat/completions", chat()), "The answer");
    await Bun.sleep(200);
    const plain = await lastLine();
    expect(plain.estimate).toBe("stream_text");
    expect(plain.tokens_out).toBeLessThan(20);
  } finally {
    delayMs = 0;
  }
});

test("Responses: a hang-up after reasoning was seen is charged the reservation's output; a full stream its usage", async () => {
  const body = { model: "m", stream: true, max_output_tokens: 3000, input: "hi" };
  expect((await (await post("/v1/responses", body)).text()).length).toBeGreaterThan(0);
  expect((await lastLine()).cost_usd).toBeCloseTo(COST, 12);
  responsesHold = true;
  try {
    await readUntil(await post("/v1/responses", body), "response.reasoning_summary_text.delta");
    await Bun.sleep(100);
    const line = await lastLine();
    expect(line.estimate).toBe("reasoning_reserved");
    expect(line.tokens_out).toBeGreaterThanOrEqual(3000);
  } finally {
    responsesHold = false;
  }
});

test("the budget spent equals the sum of cost_usd in the access log and the ledger's total", async () => {
  await Bun.sleep(300);
  const logged = lines.filter((l) => l.msg === "access" && l.path !== "/v1/usage").reduce((s, l) => s + (l.cost_usd ?? 0), 0);
  expect(await spent()).toBeCloseTo(logged, 5);
  await gw.shutdown();
  const db = await openDatabase(ledgerPath);
  const [row] = (await db.sql.unsafe("SELECT SUM(cost_usd) AS cost, COUNT(*) AS n FROM usage_requests")) as any[];
  const estimates = (await db.sql.unsafe("SELECT estimate FROM usage_requests WHERE estimate IS NOT NULL ORDER BY ts")) as any[];
  await db.close();
  expect(Number(row.cost)).toBeCloseTo(logged, 9);
  expect(estimates.map((r) => r.estimate)).toEqual(["reasoning_reserved", "stream_text", "reasoning_reserved"]); // flagged with their rule
});

test("a backend whose profile says stream_usage: false gets no include_usage the gateway added; its stream is estimated", async () => {
  const { gw: strict, lines: strictLines } = await createLoggedGateway(`
backends:
  old: { base_url: "${upstream.url}", api: openai-chat, price: { input: 1, output: 10 }, profile: { stream_usage: false } }
models:
  m: { backends: { "default:1": { use: old } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_per_day: 100 }, models: { m: } }
`);
  const before = upstream.seen.length;
  const r = await strict.fetch(
    new Request("http://gw/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer key-acme-alice" }, body: JSON.stringify(chat()) }),
  );
  await r.text();
  expect(JSON.parse(new TextDecoder().decode(upstream.seen[before]!.body)).stream_options).toBeUndefined();
  await Bun.sleep(20);
  strict.accessLog.flush();
  expect(strictLines.filter((l) => l.msg === "access").at(-1).estimate).toBe("stream_text");
  await strict.shutdown();
});

test("the usage-chunk filter gives the same bytes however the stream is split, and keeps the usage", async () => {
  const { UsageChunkFilter } = await import("../../src/engines/model/stream-usage");
  const usageChunk = d({ id: "c1", object: "chat.completion.chunk", choices: [], usage: USAGE });
  for (const eol of ["\n", "\r\n"]) {
    const fix = (s: string) => s.replaceAll("\n", eol);
    const wire = fix([...visible, usageChunk, "data: [DONE]\n\n"].join(""));
    const want = fix([...visible, "data: [DONE]\n\n"].join(""));
    for (const size of [1, 7, 64, wire.length]) {
      const filter = new UsageChunkFilter();
      let out = "";
      for (let i = 0; i < wire.length; i += size) out += filter.push(wire.slice(i, i + size));
      out += filter.end();
      expect([eol, size, out]).toEqual([eol, size, want]);
      expect(filter.usage).toEqual({ input: 100, output: 2000 });
    }
  }
});
