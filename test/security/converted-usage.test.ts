// #23.12: converted routes charge what the upstream reported. A chat stream converted to an Anthropic backend is
// charged the upstream's exact usage even when its client did not ask to see it; Anthropic cache writes are priced
// at the cache-write rate on every route, and a Responses client is told them (cache_write_tokens).
import { afterAll, expect, test } from "bun:test";
import { ANTHROPIC_CHUNKS, startMockUpstream } from "../helpers/mock-upstream";
import { anthropicMessage } from "../fixtures/anthropic";
import { createLoggedGateway } from "../helpers/gateway";

// 200 fresh input tokens, 100 written to the cache, 2 out: at $1 in, $10 cache write, $2 out = $0.001204
const USAGE = `"input_tokens":200,"cache_creation_input_tokens":100`;
const COST = (200 * 1 + 100 * 10 + 2 * 2) / 1e6;
const upstream = startMockUpstream((_req, json) =>
  json?.stream
    ? { chunks: ANTHROPIC_CHUNKS.map((c) => c.replace('"input_tokens":5', USAGE)) }
    : { body: anthropicMessage("ok", { input_tokens: 200, cache_creation_input_tokens: 100, output_tokens: 2 }) },
);
afterAll(() => upstream.stop());
const { gw, lines } = await createLoggedGateway(`
backends:
  claude: { base_url: "${upstream.url}", api: anthropic-messages, price: { input: 1, output: 2, cache_write: 10 } }
models:
  m: { backends: { "default:1": { use: claude } } }
`);
afterAll(() => gw.shutdown());

const post = async (path: string, body: object) => {
  const r = await gw.fetch(new Request(`http://gw${path}`, { method: "POST", body: JSON.stringify({ model: "m", ...body }) }));
  const text = await r.text();
  await Bun.sleep(10);
  gw.accessLog.flush();
  return { text, line: lines.at(-1) };
};
const messages = [{ role: "user", content: "hi" }];

test("chat streams on an Anthropic backend: exact usage with or without include_usage, cache writes at their rate", async () => {
  for (const stream_options of [undefined, { include_usage: true }]) {
    const { line } = await post("/v1/chat/completions", { stream: true, stream_options, messages });
    expect(line.usage_estimated).toBeUndefined();
    expect([line.tokens_in, line.tokens_out]).toEqual([300, 2]);
    expect(line.cost_usd).toBeCloseTo(COST, 12);
  }
});

test("whole chat answers and Responses answers (whole and streamed) price the cache writes, and Responses clients are told them", async () => {
  expect((await post("/v1/chat/completions", { messages })).line.cost_usd).toBeCloseTo(COST, 12);
  const whole = await post("/v1/responses", { input: "hi" });
  expect(JSON.parse(whole.text).usage.input_tokens_details.cache_write_tokens).toBe(100);
  expect(whole.line.cost_usd).toBeCloseTo(COST, 12);
  const streamed = await post("/v1/responses", { input: "hi", stream: true });
  expect(streamed.text).toContain(`"cache_write_tokens":100`);
  expect(streamed.line.cost_usd).toBeCloseTo(COST, 12);
});
