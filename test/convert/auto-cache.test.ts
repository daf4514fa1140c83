// Cache breakpoints for converted clients on Anthropic backends: where Claude Code puts its own, at most four,
// none when the request carries marks already, and a prefix that never changes between the turns of a session.
import { describe, expect, test } from "bun:test";
import { addCacheBreakpoints, chatFromMessagesRequest } from "../../src/convert";
import { rng } from "../helpers/random";

const E = { type: "ephemeral" };
const tools = [1, 2].map((i) => ({ type: "function", function: { name: `t${i}`, parameters: { type: "object" } } }));

describe("breakpoints", () => {
  test("the last tool, the last system block, the last block of the last two user turns", () => {
    const { body } = chatFromMessagesRequest(
      {
        model: "m",
        tools,
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "one" },
          { role: "assistant", content: "ok" },
          { role: "user", content: "two" },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "t1", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "c1", content: "result" },
        ],
      },
      8192,
      "output_config",
      false,
      true,
    );
    expect(body.tools.map((t: any) => t.cache_control)).toEqual([undefined, E]);
    expect(body.system.at(-1).cache_control).toEqual(E);
    const users = body.messages.filter((m: any) => m.role === "user");
    expect(users.map((m: any) => m.content.at(-1).cache_control)).toEqual([undefined, E, E]);
    expect(JSON.stringify(body).match(/cache_control/g)!.length).toBe(4);
  });

  test("a request that marks anything itself is left alone; nothing to mark, nothing marked", () => {
    const own = {
      model: "m",
      messages: [
        { role: "user", content: [{ type: "text", text: "x", cache_control: E }] },
        { role: "user", content: "y" },
      ],
    };
    addCacheBreakpoints(own);
    expect(JSON.stringify(own).match(/cache_control/g)!.length).toBe(1);
    const empty = { model: "m", messages: [{ role: "user", content: "" }] };
    addCacheBreakpoints(empty);
    expect(JSON.stringify(empty)).not.toContain("cache_control");
  });
});

// Anthropic's cache matches content at block boundaries, not where the marks sit (Claude Code moves its own mark every
// turn and reads the cache), so the prefix compared is the body without its marks; the marks are checked apart.
const unmarked = (v: unknown) => JSON.stringify(v, (k, x) => (k === "cache_control" ? undefined : x));

test("property: each next turn of a session sends the previous turn's content byte for byte as its prefix, with at most 4 marks", () => {
  const rand = rng(5);
  for (let run = 0; run < 50; run++) {
    const history: any[] = [
      { role: "system", content: "sys" },
      { role: "user", content: "task" },
    ];
    let previous: string | undefined;
    for (let turn = 0; turn < 8; turn++) {
      const { body } = chatFromMessagesRequest({ model: "m", tools, messages: structuredClone(history) }, 8192, "output_config", false, true);
      const now = unmarked({ tools: body.tools, system: body.system, messages: body.messages });
      expect((JSON.stringify(body).match(/cache_control/g) ?? []).length).toBeLessThanOrEqual(4);
      if (previous) expect(now.startsWith(previous.slice(0, -2))).toBe(true); // all but the closing "]}" of the last turn
      previous = now;
      const id = `c${turn}`;
      if (rand() < 0.6) {
        history.push({ role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "t1", arguments: "{}" } }] });
        history.push({ role: "tool", tool_call_id: id, content: `out ${turn}` });
      } else {
        history.push({ role: "assistant", content: `answer ${turn}` });
        history.push({ role: "user", content: `next ${turn}` });
      }
    }
  }
});

describe("the session as prompt_cache_key toward OpenAI backends", () => {
  test("profile.session_cache_key: Claude Code's session reaches a chat backend as prompt_cache_key; off by default; a client's own is kept", async () => {
    const { startMockUpstream } = await import("../helpers/mock-upstream");
    const { startGateway } = await import("../helpers/gateway");
    const up = startMockUpstream(() => ({}));
    const gw = startGateway(`models:
  on: { backends: { "default:1": { base_url: "${up.url}", api: openai-chat, profile: { session_cache_key: true } } } }
  off: { backends: { "default:1": { base_url: "${up.url}", api: openai-chat } } }
`);
    const sent = async (model: string, path: string, body: object) => {
      await fetch(`${gw.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-claude-code-session-id": "cc-sess-1" },
        body: JSON.stringify({ model, ...body }),
      }).then((r) => r.text());
      return JSON.parse(new TextDecoder().decode(up.seen.at(-1)!.body));
    };
    try {
      const messages = { max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
      expect((await sent("on", "/v1/messages", messages)).prompt_cache_key).toBe("cc-sess-1");
      expect((await sent("off", "/v1/messages", messages)).prompt_cache_key).toBeUndefined();
      expect((await sent("on", "/v1/responses", { input: "hi", prompt_cache_key: "client-own" })).prompt_cache_key).toBe("client-own");
    } finally {
      gw.stop();
      up.stop();
    }
  });
});
