// Google Search for Gemini clients on a converted backend: the gateway runs the googleSearch tool on the search
// service the backend's profile.web_search names, puts the results before the model, and grounds the answer
// (groundingMetadata). The real Gemini CLI's google_web_search tool shows them as its sources; without a search
// service the tool is refused with a 400 naming it.
import { afterAll, expect, test } from "bun:test";
import { startGateway } from "../helpers/gateway";
import { runGeminiCli } from "../helpers/gemini-cli";
import { startMockUpstream } from "../helpers/mock-upstream";
import { startSearchService } from "../helpers/search-service";

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const streamed = (delta: object, finish: string) => ({ chunks: [chunk({ role: "assistant", ...delta }), chunk({}, finish), "data: [DONE]\n\n"] });
const whole = (content: string) => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    id: "c",
    object: "chat.completion",
    created: 1,
    model: "up",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
  }),
});
const system = (json: any): string[] => (json?.messages ?? []).filter((m: any) => m.role === "system").map((m: any) => String(m.content));

const upstream = startMockUpstream((_req, json) => {
  const note = system(json).find((s) => s.startsWith("Web search results for"));
  if (note) return whole(`OctoLLM 9.9 ships the Responses API [1]. (${note.split("\n")[2]})`); // the web-search call, answered from the results
  const msgs = json?.messages ?? [];
  const result = msgs.findLast((m: any) => m.role === "tool");
  if (result) return streamed({ content: `Done: ${String(result.content).slice(0, 300)}` }, "stop");
  const call = { index: 0, id: "call_s1", type: "function", function: { name: "google_web_search", arguments: '{"query":"octollm 9.9 release"}' } };
  return streamed({ content: null, tool_calls: [call] }, "tool_calls");
});
const search = startSearchService(() => [
  { title: "OctoLLM 9.9 released", url: "https://octollm.example/blog/9-9", text: "OctoLLM 9.9 ships the Responses API." },
]);
const gw = startGateway(`
backends:
  chat:
    base_url: "${upstream.url}"
    api: openai-chat
    profile: { web_search: { provider: searxng, url: "${search.url}/searxng" } }
  plain: { base_url: "${upstream.url}", api: openai-chat }
models:
  gemini-*: { backends: { "default:1": { use: chat } } }
  nosearch-*: { backends: { "default:1": { use: plain } } }
`);
afterAll(() => {
  gw.stop();
  upstream.stop();
  search.stop();
});

test("Gemini CLI's google_web_search on a chat backend: searched on the search service, answered from it, sources listed", async () => {
  const r = await runGeminiCli(gw.url, "gemini-3.1-pro-preview", "search the web for the octollm 9.9 release", ["--yolo"]);
  expect({ code: r.code, err: r.code === 0 ? "" : r.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(search.seen.map((s) => s.query)).toEqual(["octollm 9.9 release"]);
  // what the tool returned to the main model: the grounded answer and the CLI's "Sources:" list from groundingChunks
  expect(r.json?.response).toContain("OctoLLM 9.9 ships the Responses API");
  expect(r.json?.response).toContain("[1] OctoLLM 9.9 released (https://octollm.example/blog/9-9)");
  const searchCall = gw.logs.find((l) => l.msg === "access" && String(l.path).includes(":generateContent") && l.status === 200);
  expect(searchCall?.web_searches).toBe(1); // counted like Claude Code's searches
}, 120_000);

test("the googleSearch tool itself: grounding metadata on the answer; no search service → 400 naming the tool", async () => {
  const ask = (model: string) =>
    fetch(`${gw.url}/v1beta/models/${model}:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "k" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "octollm 9.9 release" }] }], tools: [{ googleSearch: {} }] }),
    });
  const ok = await ask("gemini-3-flash-preview");
  const body: any = await ok.json();
  expect(ok.status).toBe(200);
  expect(body.candidates[0].groundingMetadata).toEqual({
    webSearchQueries: ["octollm 9.9 release"],
    groundingChunks: [{ web: { uri: "https://octollm.example/blog/9-9", title: "OctoLLM 9.9 released" } }],
  });
  expect(body.candidates[0].content.parts[0].text).toContain("[1] OctoLLM 9.9 released");
  const refused = await ask("nosearch-x");
  const err: any = await refused.json();
  expect([refused.status, err.error.status]).toEqual([400, "INVALID_ARGUMENT"]);
  expect(err.error.message).toContain("tools[0].googleSearch");
  expect(err.error.message).toContain("profile.web_search");
});
