// Anthropic request → OpenAI request (docs/conversion.md).
import { describe, expect, test } from "bun:test";
import { makeProfile, messagesFromChatRequest, type BackendProfile, type MessagesContext } from "../../src/convert";

// the hub request read as plain JSON, as a backend receives it (the tests look into it freely)
const conv = (body: Record<string, any>, profile: Partial<BackendProfile> = {}): { body: any; ctx: MessagesContext } =>
  messagesFromChatRequest({ model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...body }, makeProfile(profile), 10);
const msgs = (body: Record<string, any>, profile: Partial<BackendProfile> = {}) => conv(body, profile).body.messages;
const png = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } };

describe("system", () => {
  test("1-4: string, blocks joined, billing header stripped, empty dropped", () => {
    expect(msgs({ system: "S" })[0]).toEqual({ role: "system", content: "S" });
    expect(
      msgs({
        system: [
          { type: "text", text: "A", cache_control: { type: "ephemeral" } },
          { type: "text", text: "B" },
        ],
      })[0],
    ).toEqual({ role: "system", content: "A\n\nB" });
    const billed = msgs({
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1; cch=3be91;" },
        { type: "text", text: "You are Claude Code" },
      ],
    });
    expect(billed[0]).toEqual({ role: "system", content: "You are Claude Code" });
    expect(msgs({ system: [{ type: "text", text: "   " }] })[0].role).toBe("user");
    expect(JSON.stringify(conv({ system: [{ type: "text", text: "A", cache_control: { type: "ephemeral" } }] }).body)).not.toContain("cache_control");
  });
});

describe("user content", () => {
  test("5-8: strings, images, documents", () => {
    expect(msgs({})).toEqual([{ role: "user", content: "hi" }]);
    expect(msgs({ messages: [{ role: "user", content: [{ type: "text", text: "look" }, png] }] })[0].content).toEqual([
      { type: "text", text: "look" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } },
    ]);
    expect(msgs({ messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x/y.png" } }] }] })[0].content).toEqual([
      { type: "image_url", image_url: { url: "https://x/y.png" } },
    ]);
    const pdf = { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } };
    expect(msgs({ messages: [{ role: "user", content: [pdf] }] }, { pdf: true })[0].content).toEqual([
      { type: "file", file: { filename: "document.pdf", file_data: "data:application/pdf;base64,JVBE" } },
    ]);
    expect(msgs({ messages: [{ role: "user", content: [pdf] }] })[0].content).toBe("[PDF document omitted: backend cannot read PDFs]");
  });
});

const call = (id: string, name = "Read", input: object = { file_path: "/a" }) => ({ type: "tool_use", id, name, input });
const result = (id: string, content: unknown, extra: object = {}) => ({ type: "tool_result", tool_use_id: id, content, ...extra });

describe("tool results and calls", () => {
  const turn = (...user: object[]) =>
    msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [call("t1"), call("t2")] },
        { role: "user", content: user },
      ],
    });
  test("9-13: tool result contents", () => {
    expect(
      turn(
        result("t1", "out"),
        result("t2", [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ]),
      ).slice(2),
    ).toEqual([
      { role: "tool", tool_call_id: "t1", content: "out" },
      { role: "tool", tool_call_id: "t2", content: "a\nb" },
    ]);
    expect(turn(result("t1", [png]), result("t2", "ENOENT", { is_error: true })).slice(2)).toEqual([
      { role: "tool", tool_call_id: "t1", content: "(see attached image)" },
      { role: "tool", tool_call_id: "t2", content: "Error: ENOENT" },
      {
        role: "user",
        content: [
          { type: "text", text: "[output of tool t1]" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } },
        ],
      },
    ]);
    expect(turn(result("t1", undefined), result("t2", []))[2].content).toBe("(no output)");
  });
  test("14-15: tool results first, then the user's text, whatever the order", () => {
    const roles = (m: any[]) => m.slice(2).map((x) => x.role + (x.tool_call_id ?? ""));
    expect(roles(turn(result("t1", "a"), result("t2", "b"), { type: "text", text: "T" }))).toEqual(["toolt1", "toolt2", "user"]);
    expect(roles(turn({ type: "text", text: "T" }, result("t1", "a"), result("t2", "b")))).toEqual(["toolt1", "toolt2", "user"]);
  });
  test("16-17: assistant text and tool calls; null content without text", () => {
    const m = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "text", text: "Reading." }, call("a"), call("b", "Bash", { command: "ls" })] },
        { role: "user", content: [result("a", "1"), result("b", "2")] },
      ],
    });
    expect(m[1]).toEqual({
      role: "assistant",
      content: "Reading.",
      tool_calls: [
        { id: "a", type: "function", function: { name: "Read", arguments: `{"file_path":"/a"}` } },
        { id: "b", type: "function", function: { name: "Bash", arguments: `{"command":"ls"}` } },
      ],
    });
    const only = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [call("a")] },
        { role: "user", content: [result("a", "1")] },
      ],
    });
    expect(only[1].content).toBeNull();
    expect(
      msgs(
        {
          messages: [
            { role: "user", content: "go" },
            { role: "assistant", content: [call("a")] },
            { role: "user", content: [result("a", "1")] },
          ],
        },
        { assistantNullContent: false },
      )[1].content,
    ).toBe("");
  });
  test("18-19: thinking history by profile; redacted thinking dropped", () => {
    const a = {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "hmm", signature: "gw1.x" },
        { type: "redacted_thinking", data: "zz" },
        { type: "text", text: "ok" },
      ],
    };
    expect(msgs({ messages: [{ role: "user", content: "q" }, a] }, { reasoningHistory: "reasoning_content" })[1]).toEqual({
      role: "assistant",
      content: "ok",
      reasoning_content: "hmm",
    });
    expect(msgs({ messages: [{ role: "user", content: "q" }, a] })[1]).toEqual({ role: "assistant", content: "ok" });
  });
  test("20-21: an unanswered call gets a synthetic result; an orphan result becomes user text", () => {
    const m = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [call("a")] },
        { role: "user", content: "next" },
      ],
    });
    expect(m.slice(2)).toEqual([
      { role: "tool", tool_call_id: "a", content: "(no result: tool call was interrupted)" },
      { role: "user", content: "next" },
    ]);
    const o = msgs({ messages: [{ role: "user", content: [result("ghost", "x")] }] });
    expect(o).toEqual([{ role: "user", content: "[orphan tool result ghost]: x" }]);
  });
});

describe("tools", () => {
  test("22-24: custom tools, long names mapped back, tool search left out (deferred tools are sent)", () => {
    const long = "mcp__" + "x".repeat(80);
    const r = conv({
      tools: [
        { name: "Read", description: "Reads", input_schema: { type: "object" } },
        { name: long, input_schema: { type: "object", properties: { a: { type: "string" } }, required: [] }, defer_loading: true },
        { type: "tool_search_tool_regex_20251119", name: "tool_search_tool_regex" },
      ],
    });
    expect(r.body.tools[0]).toEqual({ type: "function", function: { name: "Read", description: "Reads", parameters: { type: "object", properties: {} } } });
    const mapped = r.body.tools[1].function.name;
    expect(mapped.length).toBeLessThanOrEqual(64);
    expect(mapped).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(r.ctx.toolNames.fromUpstream(mapped)).toBe(long);
    expect(r.body.tools[1].function.parameters.required).toBeUndefined();
    expect(r.body.tools.length).toBe(2);
    const onlyServer = conv({ tools: [{ type: "tool_search_tool_bm25_20251119", name: "tool_search_tool_bm25" }], tool_choice: { type: "auto" } }).body;
    expect(onlyServer.tools).toBeUndefined();
    expect(onlyServer.tool_choice).toBeUndefined();
  });
  test("25-26: tool_choice and parallel calls", () => {
    const tools = [{ name: "X", input_schema: { type: "object" } }];
    expect(conv({ tools, tool_choice: { type: "any" } }).body.tool_choice).toBe("required");
    expect(conv({ tools, tool_choice: { type: "tool", name: "X" } }).body.tool_choice).toEqual({ type: "function", function: { name: "X" } });
    expect(conv({ tools, tool_choice: { type: "none" } }).body.tool_choice).toBe("none");
    expect(conv({ tools, tool_choice: { type: "auto", disable_parallel_tool_use: true } }).body.parallel_tool_calls).toBe(false);
  });
});

describe("parameters", () => {
  test("27-28: thinking to reasoning, by profile", () => {
    expect(conv({ thinking: { type: "enabled", budget_tokens: 10000 } }).body.reasoning_effort).toBe("medium");
    expect(conv({ thinking: { type: "adaptive" }, output_config: { effort: "high" } }).body.reasoning_effort).toBe("high");
    expect(conv({ thinking: { type: "adaptive" }, output_config: { effort: "high" } }, { reasoningParam: "openrouter" }).body.reasoning).toEqual({
      effort: "high",
    });
    expect(conv({ thinking: { type: "enabled", budget_tokens: 2000 } }, { reasoningParam: "thinking_object" }).body.thinking).toEqual({ type: "enabled" });
    expect(conv({}).body.reasoning_effort).toBeUndefined();
  });
  test("29-31: max tokens clamp and field, stop truncation, stream usage", () => {
    expect(conv({ max_tokens: 64000 }, { maxOutputTokens: 8192 }).body.max_tokens).toBe(8192);
    expect(conv({ max_tokens: 64000 }, { maxTokensField: "max_completion_tokens" }).body.max_completion_tokens).toBe(64000);
    expect(conv({ stop_sequences: ["a", "b", "c", "d", "e", "f"] }).body.stop).toEqual(["a", "b", "c", "d"]);
    expect(conv({ stream: true }).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
  test("32-34: safety identifier, sampling by profile, json schema output", () => {
    const long = JSON.stringify({ device_id: "d".repeat(64), session_id: "s" });
    expect(conv({ metadata: { user_id: long } }, { safetyIdentifier: true }).body.safety_identifier).toMatch(/^[0-9a-f]{64}$/);
    expect(conv({ metadata: { user_id: long } }).body.safety_identifier).toBeUndefined();
    expect(conv({ top_k: 5, temperature: 0.5 }).body.top_k).toBeUndefined();
    expect(conv({ top_k: 5, temperature: 0.5 }, { topK: true }).body.top_k).toBe(5);
    expect(conv({ temperature: 0.5, top_p: 0.9 }, { fixedTemperature: true }).body.temperature).toBeUndefined();
    const schema = { type: "object", properties: { a: { type: "string" }, b: { type: "object", properties: { c: { type: "number" } } } } };
    expect(conv({ output_config: { format: { type: "json_schema", schema } } }).body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "output",
        strict: true,
        schema: {
          type: "object",
          additionalProperties: false,
          required: ["a", "b"],
          properties: { a: { type: "string" }, b: { type: "object", properties: { c: { type: "number" } }, additionalProperties: false, required: ["c"] } },
        },
      },
    });
  });
  test("the requested model is remembered; mcp_servers is refused", () => {
    expect(conv({ model: "claude-sonnet-4-5[1m]" }).body.model).toBe("claude-sonnet-4-5");
    expect(() => conv({ mcp_servers: [{ url: "x" }] })).toThrow(/mcp_servers/);
  });
});

describe("tools Anthropic defines", () => {
  test("a client tool without a schema (bash_20250124) is refused with a 400 naming tools", () => {
    let err: any;
    try {
      conv({ tools: [{ type: "bash_20250124", name: "bash" }] });
    } catch (e) {
      err = e;
    }
    expect([err?.status, err?.param]).toEqual([400, "tools"]);
  });
});

describe("prompt caching through providers that honour cache_control (profile.pass_cache_control)", () => {
  const eph = { type: "ephemeral" };
  const claudeCodeLike = {
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1;" },
      { type: "text", text: "You are Claude Code", cache_control: eph },
      { type: "text", text: "Rules", cache_control: eph },
    ],
    messages: [
      { role: "user", content: [{ type: "text", text: "read a" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { p: "a" } }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "A", cache_control: eph },
          { type: "text", text: "and now?", cache_control: eph },
        ],
      },
    ],
  };

  test("kept on system parts, the marked tool result and the marked user text; the billing block still goes", () => {
    const m = msgs(claudeCodeLike, { passCacheControl: true });
    expect(m[0]).toEqual({
      role: "system",
      content: [
        { type: "text", text: "You are Claude Code", cache_control: eph },
        { type: "text", text: "Rules", cache_control: eph },
      ],
    });
    expect(m[1]).toEqual({ role: "user", content: "read a" });
    expect(m[3]).toEqual({ role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "A", cache_control: eph }] });
    expect(m[4]).toEqual({ role: "user", content: [{ type: "text", text: "and now?", cache_control: eph }] });
  });

  test("off by default: no cache_control anywhere, plain strings as before", () => {
    const body = conv(claudeCodeLike).body;
    expect(JSON.stringify(body)).not.toContain("cache_control");
    expect(body.messages[0]).toEqual({ role: "system", content: "You are Claude Code\n\nRules" });
  });
});

describe("server tools", () => {
  test("web_search without a search service: a 400 naming the tool and the profile key", () => {
    const run = () =>
      conv({
        tools: [
          { name: "Read", input_schema: {} },
          { type: "web_search_20250305", name: "web_search", max_uses: 8 },
        ],
      });
    expect(run).toThrow(
      "Web search is not available on this model's backend. tools[1]: web_search_20250305 is a server tool that runs only at Anthropic, not on this backend; give the backend a search service (profile.web_search)",
    );
    for (const type of ["web_fetch_20250910", "code_execution_20250825", "mcp_toolset", "bash_code_execution_20250825"]) {
      expect(() => conv({ tools: [{ type, name: "x" }] })).toThrow(`tools[0]: ${type} is a server tool that runs only at Anthropic`);
    }
  });

  test("web_search with a search service: a function of the tool's name; its limits go to the context", () => {
    const r = conv(
      {
        tools: [{ type: "web_search_20260209", name: "web_search", max_uses: 3, allowed_domains: ["docs.rs", 7], user_location: { type: "approximate" } }],
        tool_choice: { type: "tool", name: "web_search" },
      },
      { webSearch: true },
    );
    expect(r.body.tools[0].function.name).toBe("web_search");
    expect(r.body.tools[0].function.parameters.required).toEqual(["query"]);
    expect(r.body.tool_choice).toEqual({ type: "function", function: { name: "web_search" } });
    expect(r.ctx.webSearch).toEqual({ name: "web_search", maxUses: 3, allowedDomains: ["docs.rs"], blockedDomains: undefined });
  });
});
