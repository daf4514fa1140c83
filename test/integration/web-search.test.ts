// Anthropic's web_search server tool on an OpenAI-compatible backend, run by the gateway (#15.6): a scripted
// model that searches through the function the gateway declares, a scripted search service, the Anthropic SDK.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { startSearchService } from "../helpers/search-service";
import { chunk, d } from "../fixtures/openai-streams";

const usage = (p: number, c: number) => d({ id: "c1", choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });
const call = (id: string, name: string, args: object) =>
  chunk({ tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: JSON.stringify(args) } }] });

/** The scripted model: what it does next, given the chat request. */
type Model = (json: any) => string[];
let model: Model;
const searchesThenAnswers: Model = (json) => {
  const results = json.messages.filter((m: any) => m.role === "tool");
  if (results.length === 0)
    return [
      chunk({ content: "Let me look." }),
      call("call_1", "web_search", { query: "bun 2 release date" }),
      chunk({}, "tool_calls"),
      usage(100, 10),
      "data: [DONE]\n\n",
    ];
  return [chunk({ content: `Found: ${results.at(-1).content.split("\n")[2]}` }), chunk({}, "stop"), usage(300, 20), "data: [DONE]\n\n"];
};

let upstream: ReturnType<typeof startMockUpstream>;
let search: ReturnType<typeof startSearchService>;
let searchDown = false;
let gw: TestGateway;

beforeAll(() => {
  upstream = startMockUpstream((_req, json) => ({ chunks: model(json) }));
  search = startSearchService(() =>
    searchDown ? 503 : [{ title: "Bun 2 is out", url: "https://bun.sh/blog/bun-v2", text: "Released on 1 Nov 2026.", date: "2026-11-01" }],
  );
  gw = startGateway(`
backends:
  chat-with-search:
    base_url: "${upstream.url}"
    convert_to_messages: from_chat
    profile: { ping_interval_ms: 0, web_search: { provider: tavily, url: "${search.url}/tavily", api_key: tv-key, max_results: 3 } }
  chat-plain:
    base_url: "${upstream.url}"
    convert_to_messages: from_chat
models:
  claude-search:
    backends: { "default:1": { use: chat-with-search } }
  claude-plain:
    backends: { "default:1": { use: chat-plain } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  search.stop();
});

const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: "k", maxRetries: 0 });
const WEB_SEARCH = { type: "web_search_20250305" as const, name: "web_search" as const, max_uses: 8 };
// What Claude Code's WebSearch tool sends (captured from claude 2.1.197)
const claudeCodeSearch = (modelName = "claude-search") => ({
  model: modelName,
  max_tokens: 4096, // Claude Code asks for 32000, streaming; the SDK refuses that much without a stream
  system: [{ type: "text" as const, text: "You are an assistant for performing a web search tool use" }],
  messages: [{ role: "user" as const, content: "Perform a web search for the query: bun 2 release date" }],
  tools: [WEB_SEARCH],
  tool_choice: { type: "tool" as const, name: "web_search" },
});
const seen = (i: number) => JSON.parse(new TextDecoder().decode(upstream.seen.at(i)!.body));

describe("gateway-executed web search", () => {
  test("non-stream: server_tool_use and web_search_tool_result between the model's text; usage counts the search", async () => {
    model = searchesThenAnswers;
    const before = upstream.seen.length;
    const msg = await anthropic().messages.create(claudeCodeSearch());
    expect(msg.content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_search_tool_result", "text"]);
    const use = msg.content[1] as Anthropic.ServerToolUseBlock;
    expect([use.name, use.input, use.id.startsWith("srvtoolu_")]).toEqual(["web_search", { query: "bun 2 release date" }, true]);
    const result = msg.content[2] as Anthropic.WebSearchToolResultBlock;
    expect(result.tool_use_id).toBe(use.id);
    expect(result.content).toEqual([
      expect.objectContaining({ type: "web_search_result", url: "https://bun.sh/blog/bun-v2", title: "Bun 2 is out", page_age: "2026-11-01" }),
    ]);
    expect((msg.content[3] as Anthropic.TextBlock).text).toBe("Found: [1] Bun 2 is out");
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.server_tool_use?.web_search_requests).toBe(1);
    expect([msg.usage.input_tokens, msg.usage.output_tokens]).toEqual([400, 30]);
    // two model turns; the first was forced to search, the second saw the results as a tool message
    expect(upstream.seen.length - before).toBe(2);
    expect(seen(-2).tool_choice).toEqual({ type: "function", function: { name: "web_search" } });
    const second = seen(-1);
    expect(second.tool_choice).toBe("auto");
    expect(second.messages.at(-2).tool_calls[0].function).toEqual({ name: "web_search", arguments: '{"query":"bun 2 release date"}' });
    expect(second.messages.at(-1).content).toContain("Released on 1 Nov 2026.");
    expect(search.seen.at(-1)!.headers.authorization).toBe("Bearer tv-key");
    expect(search.seen.at(-1)!.query).toBe("bun 2 release date");
  });

  test("stream: messages.stream() accumulates the same blocks; the event grammar holds", async () => {
    model = searchesThenAnswers;
    const stream = anthropic().messages.stream(claudeCodeSearch());
    const msg = await stream.finalMessage();
    expect(msg.content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_search_tool_result", "text"]);
    expect((msg.content[1] as Anthropic.ServerToolUseBlock).input).toEqual({ query: "bun 2 release date" });
    expect(msg.usage.server_tool_use?.web_search_requests).toBe(1);
    const r = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify({ ...claudeCodeSearch(), stream: true }) });
    const evs = checkAnthropicStream(await r.text());
    expect(evs.filter((e) => e.data.type === "message_start").length).toBe(1);
    expect(evs.at(-2)!.data.usage.server_tool_use).toEqual({ web_search_requests: 1 });
  });

  test("a search service that is down: an error result block, and the model still answers", async () => {
    model = searchesThenAnswers;
    searchDown = true;
    try {
      const msg = await anthropic().messages.create(claudeCodeSearch());
      expect((msg.content[2] as any).content).toEqual({ type: "web_search_tool_result_error", error_code: "unavailable" });
      expect(seen(-1).messages.at(-1).content).toContain("failed (unavailable)");
      expect(msg.stop_reason).toBe("end_turn");
    } finally {
      searchDown = false;
    }
  });

  test("max_uses: searches past it are refused with max_uses_exceeded; a model that never stops ends with pause_turn", async () => {
    let n = 0;
    model = () => [call(`call_${++n}`, "web_search", { query: `q${n}` }), chunk({}, "tool_calls"), usage(10, 1), "data: [DONE]\n\n"];
    const msg = await anthropic().messages.create({ ...claudeCodeSearch(), tools: [{ ...WEB_SEARCH, max_uses: 2 }] });
    const results = msg.content.filter((b) => b.type === "web_search_tool_result") as Anthropic.WebSearchToolResultBlock[];
    expect(results.map((r) => (Array.isArray(r.content) ? "ok" : r.content.error_code))).toEqual(["ok", "ok", "max_uses_exceeded"]);
    expect(msg.stop_reason).toBe("pause_turn");
    expect(msg.usage.server_tool_use?.web_search_requests).toBe(2);
  });

  test("a search and a client tool in one turn: both come back, stop_reason tool_use; the history converts back next turn", async () => {
    model = (json) =>
      json.messages.some((m: any) => m.role === "tool")
        ? [chunk({ content: "done" }), chunk({}, "stop"), "data: [DONE]\n\n"]
        : [
            chunk({ tool_calls: [{ index: 0, id: "c_s", type: "function", function: { name: "web_search", arguments: '{"query":"x"}' } }] }),
            chunk({ tool_calls: [{ index: 1, id: "c_r", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } }] }),
            chunk({}, "tool_calls"),
            "data: [DONE]\n\n",
          ];
    const tools = [WEB_SEARCH, { name: "Read", description: "read", input_schema: { type: "object" as const, properties: { file_path: { type: "string" } } } }];
    const first = await anthropic().messages.create({ ...claudeCodeSearch(), tools, tool_choice: { type: "auto" } });
    expect(first.content.map((b) => b.type)).toEqual(["server_tool_use", "tool_use", "web_search_tool_result"]);
    expect(first.stop_reason).toBe("tool_use");
    const read = first.content[1] as Anthropic.ToolUseBlock;
    await anthropic().messages.create({
      ...claudeCodeSearch(),
      tools,
      tool_choice: { type: "auto" },
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: read.id, content: "A" }] },
      ],
    });
    const history = seen(-1).messages;
    const assistant = history.find((m: any) => m.role === "assistant");
    expect(assistant.content).toContain('[web_search: {"query":"x"}]');
    expect(assistant.content).toContain("URL: https://bun.sh/blog/bun-v2");
    expect(assistant.content).toContain("Released on 1 Nov 2026."); // the excerpt travels in encrypted_content
  });

  test("without a search service the request is refused, naming the tool and the profile key; no upstream call", async () => {
    const before = upstream.seen.length;
    const err = (await anthropic()
      .messages.create(claudeCodeSearch("claude-plain"))
      .catch((e) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(400);
    expect(err.message).toContain("web_search_20250305 is a server tool");
    expect(err.message).toContain("profile.web_search");
    expect(upstream.seen.length).toBe(before);
  });
});
