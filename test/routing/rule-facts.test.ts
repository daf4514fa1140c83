// Routing by what a request is (#14.3): the new request facts, and validate refusing expressions that can never work.
import { describe, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { estimateInputTokens } from "../../src/convert";
import { lintExpr } from "../../src/expr";
import { RequestFeatures } from "../../src/engines";
import { RULE_SCOPE } from "../../src/config/checks";

const f = (body: Record<string, unknown>) => new RequestFeatures(body, "m");

describe("request facts", () => {
  test("inputTokens is count_tokens' estimate", () => {
    const body = { system: "be brief", messages: [{ role: "user", content: "hello ".repeat(500) }] };
    expect(f(body).inputTokens).toBe(estimateInputTokens(body));
    expect(f(body).inputTokens).toBeGreaterThan(400);
  });
  test("hasImages in either protocol, also inside a tool result", () => {
    expect(f({ messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", data: "x" } }] }] }).hasImages).toBe(true);
    expect(f({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:x" } }] }] }).hasImages).toBe(true);
    const inResult = [{ type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: {} }] }];
    expect(f({ messages: [{ role: "user", content: inResult }] }).hasImages).toBe(true);
    expect(f({ messages: [{ role: "user", content: "no image" }] }).hasImages).toBe(false);
    expect(f({ messages: "not a list" }).hasImages).toBe(false);
  });
  test("hasTools, thinking, webSearch", () => {
    expect(f({ tools: [{ name: "x" }] }).hasTools).toBe(true);
    expect(f({ tools: [] }).hasTools).toBe(false);
    expect(f({ thinking: { type: "enabled", budget_tokens: 1024 } }).thinking).toBe(true);
    expect(f({ thinking: { type: "adaptive" } }).thinking).toBe(true);
    expect(f({ thinking: { type: "disabled" } }).thinking).toBe(false);
    expect(f({ reasoning_effort: "high" }).thinking).toBe(true);
    expect(f({ reasoning_effort: "none" }).thinking).toBe(false);
    expect(f({ tools: [{ type: "web_search_20250305", name: "web_search" }] }).webSearch).toBe(true);
    expect(f({ web_search_options: {} }).webSearch).toBe(true);
    expect(f({ tools: [{ type: "custom", name: "web_search" }] }).webSearch).toBe(false);
  });
});

describe("request facts of a Responses request (Codex)", () => {
  test("the input items and instructions are the conversation: length, tokens, images (also in tool output), tools, reasoning, web search", () => {
    const body = {
      model: "gpt-5.5",
      instructions: "be brief",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "hello ".repeat(500) }] },
        { type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "data:image/png;base64,AA" }] },
      ],
      tools: [{ type: "web_search" }],
      reasoning: { effort: "high" },
    };
    const r = f(body);
    expect(r.promptTextLen).toBe(8 + 3000);
    expect(r.inputTokens).toBeGreaterThan(700);
    expect([r.hasImages, r.hasTools, r.thinking, r.webSearch]).toEqual([true, true, true, true]);
    expect(f({ input: "just text" }).promptTextLen).toBe(9);
    expect(f({ input: "x", reasoning: { summary: "auto" } }).thinking).toBe(false);
  });
});

describe("validate refuses what the rule engine cannot know", () => {
  const rule = (match: string) => `
models:
  m:
    default_rules:
      - name: r
        match: ${JSON.stringify(match)}
        add_tags: [t]
    backends: { "default:1": { provider: mock } }
`;
  for (const [match, expected] of [
    [`Modle == "x"`, "unknown name Modle"],
    [`lenn(Model) > 1`, "unknown function lenn()"],
    [`RawReq.max_tokens > 1 and and`, `a value is missing after "and" and before "and"`],
    [`Features.inputTokns > 1000`, "Features has no inputTokns"],
    [`Model == "a" "b"`, "invalid expression"],
  ] as const) {
    test(match, () => {
      const r = loadConfigText(rule(match), {});
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems[0]!.message).toContain(expected!);
      expect(r.problems[0]!.line).toBe(6);
    });
  }
  test("a single-quoted string is a warning: filtrex reads it as a name", () => {
    const r = loadConfigText(rule(`Model == 'claude'`), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings?.[0]?.message).toContain(`'claude' is a name to filtrex, not text`);
  });
  test("what rules really write passes without a word", () => {
    for (const match of [
      `'x-claude-code-agent-id' of Headers != null and Features.inputTokens < 20000`,
      `Features.thinking or Features.hasImages`,
      `startsWith(Model, "claude-haiku") or contains(lower(Model), "haiku")`,
      `RawReq.metadata.tier == "gold" and not (Org in ("a", "b"))`,
      `len(RawReq.messages) > 3 and -1 < RawReq.max_tokens`,
      `Model not in ("x", "y") and Tags == null or User == "alice"`,
      `if Features.webSearch then true else false`,
      `max(1, 2) == 2 and abs(-3) == 3`,
    ]) {
      expect(lintExpr(match, RULE_SCOPE)).toEqual({ problems: [], warnings: [] });
      expect(loadConfigText(rule(match), {}).ok).toBe(true);
    }
  });
});

describe("Features.agent", () => {
  test("a Claude Code request without tools is a side call (its session title); with tools it is the main agent", () => {
    const cc = (body: Record<string, unknown>) => new RequestFeatures(() => body, "m", new Headers({ "x-claude-code-session-id": "s" })).agent;
    expect(cc({ messages: [], output_config: { format: { type: "json_schema" } } })).toBe("background");
    expect(cc({ messages: [], tools: [] })).toBe("background");
    expect(cc({ messages: [], tools: [{ name: "Bash" }] })).toBe("main");
    expect(new RequestFeatures(() => ({ messages: [] }), "m", new Headers({})).agent).toBe("main"); // not Claude Code: no say from tools
  });

  const agent = (headers: Record<string, string>) => new RequestFeatures(() => ({ messages: [] }), "m", new Headers(headers)).agent;
  test("Claude Code's subagents, Codex's compaction turns as background, everything else main; the body is not parsed for it", () => {
    expect(agent({ "x-claude-code-agent-id": "agent-1" })).toBe("subagent");
    expect(agent({ "x-codex-turn-metadata": JSON.stringify({ request_kind: "compaction", thread_id: "t" }) })).toBe("background");
    expect(agent({ "x-codex-turn-metadata": JSON.stringify({ request_kind: "turn" }) })).toBe("main");
    expect(agent({ "x-codex-turn-metadata": "{not json" })).toBe("main");
    expect(agent({})).toBe("main");
    // Codex's x-openai-subagent labels (from its source; the header is in the 0.171 binary), and its spawned agents
    expect(agent({ "x-openai-subagent": "collab_spawn", "x-codex-parent-thread-id": "root" })).toBe("subagent");
    expect(agent({ "x-openai-subagent": "review" })).toBe("subagent");
    expect(agent({ "x-openai-subagent": "compact" })).toBe("background");
    expect(agent({ "x-openai-subagent": "memory_consolidation" })).toBe("background");
    expect(agent({ "x-openai-subagent": "false" })).toBe("main");
    expect(agent({ "x-openai-memgen-request": "true" })).toBe("background");
    expect(agent({ "x-codex-parent-thread-id": "root" })).toBe("subagent");
    const untouched = new RequestFeatures(
      () => {
        throw new Error("parsed");
      },
      "m",
      new Headers({ "x-claude-code-agent-id": "a" }),
    );
    expect(untouched.agent).toBe("subagent");
  });

  test("a rule sends subagents to the cheap backend", async () => {
    const { startGateway } = await import("../helpers/gateway");
    const gw = startGateway(`models:
  m:
    default_rules:
      - { name: subagents, match: 'Features.agent == "subagent"', forward_weights: { cheap: 1 } }
    backends:
      "default:1": { provider: mock }
      cheap: { provider: mock }
`);
    try {
      const backendFor = async (headers: Record<string, string>) =>
        (
          await fetch(`${gw.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
          })
        ).headers.get("x-octollm-backend");
      expect(await backendFor({ "x-claude-code-agent-id": "agent-7" })).toBe("cheap");
      expect(await backendFor({})).toBe("default:1");
    } finally {
      gw.stop();
    }
  });
});
