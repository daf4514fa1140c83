// #23.1 on Redis with two instances: the same streams (budgeted without include_usage, hang-ups after the end and
// mid-answer, Responses, converted, free polls and counts) spread over two gateways sharing one budget in Redis.
// Once both have stopped (their slices given back), Redis holds exactly what the two access logs charged.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { chunk, d } from "../fixtures/openai-streams";
import { createLoggedGateway } from "../helpers/gateway";
import { readUntil } from "../helpers/requests";
import { ANTHROPIC_CHUNKS, startMockUpstream } from "../helpers/mock-upstream";
import { responsesSse } from "../helpers/responses-upstream";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const USAGE = { prompt_tokens: 100, completion_tokens: 2000, total_tokens: 2100 };
const visible = [chunk({ role: "assistant", content: "" }), chunk({ content: "The answer" }), chunk({ content: " is 42." }), chunk({}, "stop")];
const upstream = startMockUpstream((req, json) => {
  if (req.path.startsWith("/v1/responses")) {
    if (req.method === "GET") return { body: JSON.stringify({ id: "x", object: "response", usage: { input_tokens: 9, output_tokens: 9 } }) };
    return {
      chunks: responsesSse(
        [
          { type: "reasoning", summary: "hm" },
          { type: "message", text: "x".repeat(300) },
        ],
        { input_tokens: 100, output_tokens: 2000 },
      ).split(/(?<=\n\n)/),
      delayMs: 40,
    };
  }
  if (req.path.startsWith("/v1/messages")) return { chunks: ANTHROPIC_CHUNKS, delayMs: 20 };
  const usage = json?.stream_options?.include_usage === true ? [d({ id: "c1", object: "chat.completion.chunk", choices: [], usage: USAGE })] : [];
  return { chunks: [...visible, ...usage, "data: [DONE]\n\n"], delayMs: 40 };
});
const redis = new RedisClient(REDIS_URL);
afterAll(() => {
  upstream.stop();
  redis.close();
});

const prefix = `octollm-test-charges-${crypto.randomUUID()}:`;
const config = `
server: { redis_url: "${REDIS_URL}", redis_key_prefix: "${prefix}" }
backends:
  paid: { base_url: "${upstream.url}", api: [openai-chat, openai-responses], price: { input: 1, output: 10 } }
  claude: { base_url: "${upstream.url}", api: anthropic-messages, price: { input: 1, output: 10 } }
models:
  m: { backends: { "default:1": { use: paid } } }
  o4-mini: { backends: { "default:1": { use: paid } } }
  via-claude: { backends: { "default:1": { use: claude } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice }
    budgets: { usd_total: 100 }
    models: { m: , o4-mini: , via-claude: }
`;

test("two instances on one Redis budget: Redis holds exactly the sum of cost_usd both access logs recorded", async () => {
  const a = await createLoggedGateway(config);
  const b = await createLoggedGateway(config);
  const post = (gw: typeof a.gw, path: string, body: object, method = "POST") =>
    gw.fetch(
      new Request(`http://gw${path}`, {
        method,
        headers: { authorization: "Bearer key-acme-alice" },
        body: method === "POST" ? JSON.stringify(body) : undefined,
      }),
    );
  const chat = (extra: object = {}) => ({ model: "m", stream: true, max_tokens: 4000, messages: [{ role: "user", content: "hi" }], ...extra });
  for (const [i, gw] of [a.gw, b.gw, a.gw, b.gw].entries()) {
    await (await post(gw, "/v1/chat/completions", chat())).text(); // usage asked for upstream, hidden from the client
    await readUntil(await post(gw, "/v1/chat/completions", chat()), `"finish_reason":"stop"`); // hang-up after the end
    await readUntil(await post(gw, "/v1/chat/completions", chat({ model: "o4-mini" })), "The answer"); // mid-answer, could reason
    await readUntil(await post(gw, "/v1/responses", { model: "m", stream: true, max_output_tokens: 3000, input: "hi" }), "reasoning_summary_text.delta");
    await (await post(gw, "/v1/chat/completions", { model: "via-claude", stream: true, messages: [{ role: "user", content: "hi" }] })).text();
    await (await post(gw, "/v1/messages/count_tokens", { model: "m", messages: [{ role: "user", content: "count me" }] })).text();
    if (i === 0) await (await post(gw, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "whole" }] })).text();
  }
  await Bun.sleep(3000); // read-on windows and settlements end
  await a.gw.shutdown();
  await b.gw.shutdown();
  const lines = [...a.lines, ...b.lines].filter((l) => l.msg === "access");
  const charged = lines.reduce((s, l) => s + Math.ceil(Math.round((l.cost_usd ?? 0) * 1e9) / 1e3), 0); // micro-USD, as the counter takes them
  const counter = Number((await redis.get(`${prefix}budget:org:acme:usd_total:0`)) ?? 0);
  expect(
    lines
      .filter((l) => l.estimate)
      .map((l) => l.estimate)
      .sort(),
  ).toEqual([...Array(4).fill("reasoning_reserved"), ...Array(4).fill("reasoning_reserved")].sort());
  expect(Math.abs(counter - charged)).toBeLessThanOrEqual(lines.length); // rounding to micro-USD at most once a request
  expect(counter).toBeGreaterThan(0);
}, 60_000);
