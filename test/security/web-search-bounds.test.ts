// #23.7: gateway-run web search is bounded per request and per turn whatever max_uses says (one request made 6 000
// paid searches and a 21 MB answer), and its searches are counted in the access log and the metrics.
import { afterAll, expect, test } from "bun:test";
import { chunk } from "../fixtures/openai-streams";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { startSearchService } from "../helpers/search-service";

// a model that asks for 1 000 searches in every turn, for ever
const calls = Array.from({ length: 1000 }, (_, i) => ({
  index: i,
  id: `call_${i}`,
  type: "function",
  function: { name: "web_search", arguments: `{"query":"q${i}"}` },
}));
const upstream = startMockUpstream(() => ({ chunks: [chunk({ role: "assistant", tool_calls: calls }), chunk({}, "tool_calls"), "data: [DONE]\n\n"] }));
const search = startSearchService(() => [{ title: "t", url: "https://example.com/x", text: "x".repeat(3000) }]);
afterAll(() => {
  upstream.stop();
  search.stop();
});

const config = (extra: string) => `
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat, profile: { web_search: { provider: brave, url: "${search.url}/brave", api_key: k ${extra} } } }
models:
  m: { backends: { "default:1": { use: chat } } }
`;
const ask = async (gw: { fetch(r: Request): Promise<Response> }, maxUses?: number) => {
  const tool = { type: "web_search_20250305", name: "web_search", ...(maxUses ? { max_uses: maxUses } : {}) };
  const r = await gw.fetch(
    new Request("http://gw/v1/messages", {
      method: "POST",
      body: JSON.stringify({ model: "m", max_tokens: 100, stream: true, tools: [tool], messages: [{ role: "user", content: "search" }] }),
    }),
  );
  return r.text();
};

test("defaults: at most 5 searches a turn and 10 a request, whatever max_uses asks; counted in the log and metrics", async () => {
  const { gw, lines } = await createLoggedGateway(config(""));
  const before = search.seen.length;
  const text = await ask(gw, 500);
  expect(search.seen.length - before).toBe(10);
  expect(text.length).toBeLessThan(1_000_000);
  expect(text).toContain(`"stop_reason":"pause_turn"`); // the model is asked to go on with what it has
  expect(text).toContain(`"web_search_requests":10`);
  await Bun.sleep(10);
  gw.accessLog.flush();
  expect(lines.at(-1).web_searches).toBe(10);
  expect(await (await gw.fetch(new Request("http://gw/metrics"))).text()).toMatch(/octollm_web_searches_total\{model="m",org="\(anonymous\)"\} 10\b/);
  await gw.shutdown();
});

test("a lower max_uses wins, and the bounds are configurable", async () => {
  const { gw } = await createLoggedGateway(config(", max_searches_per_request: 3, max_searches_per_turn: 2"));
  let before = search.seen.length;
  await ask(gw);
  expect(search.seen.length - before).toBe(3);
  before = search.seen.length;
  await ask(gw, 1);
  expect(search.seen.length - before).toBe(1);
  await gw.shutdown();
});
