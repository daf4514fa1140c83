// Claude Code's WebSearch on an OpenAI-compatible backend (#15.6): the real CLI, offline; the gateway runs the
// search against a scripted search service on 127.0.0.1, and the answer shows what the search found. Without a
// search service (#24): Claude Code shows its user only "Did 0 searches in …" for a WebSearch, whatever the
// search's outcome (its result line renders the count and the time, in the transcript view too), so the reason
// reaches the user through the model: the tool result it reads says that web search is not available, and why.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { runClaude } from "../helpers/claude-cli";
import { startMockUpstream } from "../helpers/mock-upstream";
import { startSearchService } from "../helpers/search-service";
import { chunk } from "../fixtures/openai-streams";

const text = (t: string) => ({ chunks: [chunk({ role: "assistant", content: t }), chunk({}, "stop"), "data: [DONE]\n\n"] });
const call = (id: string, name: string, args: object) => ({
  chunks: [
    chunk({ tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: JSON.stringify(args) } }] }),
    chunk({}, "tool_calls"),
    "data: [DONE]\n\n",
  ],
});

// The scripted model. Main agent: calls WebSearch, then answers with what the tool returned. Claude Code's
// WebSearch tool makes its own request with Anthropic's web_search server tool: there the model calls the
// gateway's web_search function, then summarizes the results it was given.
const upstream = startMockUpstream((_req, body) => {
  const fns: string[] = (body?.tools ?? []).map((t: any) => t.function?.name);
  const last = body?.messages?.at(-1);
  if (fns.includes("web_search")) {
    if (last?.role === "tool") return text(`Top result: ${String(last.content).split("\n")[2]} (${String(last.content).split("\n")[3]})`);
    return call("call_ws", "web_search", { query: "octollm 9.9 release" });
  }
  if (last?.role === "tool") return text(`ANSWER FROM WEB: ${String(last.content).slice(0, 400)}`);
  if (fns.includes("WebSearch")) return call("call_tool", "WebSearch", { query: "octollm 9.9 release" });
  return text("no tools");
});
const search = startSearchService(() => [
  { title: "OctoLLM 9.9 released", url: "https://octollm.example/blog/9-9", text: "OctoLLM 9.9 ships the Responses API.", date: "2026-12-01" },
]);

let gw: Gateway;
let server: ReturnType<Gateway["listen"]>;
beforeAll(async () => {
  const loaded = loadConfigText(
    `models:
  claude-*:
    backends:
      "default:1":
        base_url: "${upstream.url}"
        convert_to_messages: from_chat
        profile: { web_search: { provider: brave, url: "${search.url}/brave", api_key: brave-key } }
`,
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  gw = await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } });
  server = gw.listen("127.0.0.1", 0);
});
afterAll(() => {
  server?.stop(true);
  upstream.stop();
  search.stop();
});

test("claude -p whose answer needs a web search completes and shows the searched result", async () => {
  const r = await runClaude(["-p", "What is new in OctoLLM 9.9? Search the web.", "--allowedTools", "WebSearch"], {
    ANTHROPIC_BASE_URL: server.url.href.replace(/\/$/, ""),
    ANTHROPIC_AUTH_TOKEN: "any-token",
  });
  expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
  expect(r.out).toContain("ANSWER FROM WEB");
  expect(r.out).toContain("OctoLLM 9.9 released"); // the title Claude Code lists from the web_search_tool_result block
  expect(r.out).toContain("https://octollm.example/blog/9-9");
  expect(search.seen.map((s) => [s.path, s.query, s.headers["x-subscription-token"]])).toEqual([["/brave", "octollm 9.9 release", "brave-key"]]);
}, 120_000);

test("no search service: the model reads that web search is not available and why; the run ends at once", async () => {
  const loaded = loadConfigText(
    `models:\n  claude-*:\n    backends:\n      "default:1": { base_url: "${upstream.url}", convert_to_messages: from_chat }\n`,
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const bare = await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } });
  const listening = bare.listen("127.0.0.1", 0);
  try {
    const r = await runClaude(["-p", "What is new in OctoLLM 9.9? Search the web.", "--allowedTools", "WebSearch"], {
      ANTHROPIC_BASE_URL: listening.url.href.replace(/\/$/, ""),
      ANTHROPIC_AUTH_TOKEN: "any-token",
    });
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(r.out).toContain("ANSWER FROM WEB"); // the model's answer, quoting the tool result it was given
    expect(r.out).toContain("Web search is not available on this model's backend");
    expect(r.out).toContain("profile.web_search");
  } finally {
    listening.stop(true);
  }
}, 120_000);
