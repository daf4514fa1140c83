// OpenAI answers and streams → Anthropic (docs/conversion.md).
import { describe, expect, test } from "bun:test";
import { MessagesFromChatStream, messagesFromChatResponse, makeProfile, mapUsage, messagesFromChatRequest, type BackendProfile } from "../../src/convert";
import { StreamPipeline } from "../../src/core";
import { converterStage } from "../../src/engines";
import * as F from "../fixtures/openai-streams";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";

const ctxFor = (body: Record<string, any> = {}) =>
  messagesFromChatRequest({ model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...body }, makeProfile(), 7).ctx;

/** Converts upstream pieces (each piece one network read) and returns the Anthropic text. */
async function convert(pieces: string[], profile: Partial<BackendProfile> = {}, ctx = ctxFor()): Promise<string> {
  const enc = new TextEncoder();
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(enc.encode(p));
      c.close();
    },
  });
  const machine = new MessagesFromChatStream(ctx, makeProfile(profile));
  const conv = {
    push: machine.push.bind(machine),
    end: machine.end.bind(machine),
    ping: machine.ping.bind(machine),
    fail: (e: unknown) => machine.error({ type: "api_error", message: String(e) }),
    get done() {
      return machine.done;
    },
  };
  return new Response(StreamPipeline.of(src).through(converterStage(conv, 0)).readable()).text();
}
const kinds = (evs: { event?: string; data: any }[]) =>
  evs.map((e) =>
    e.event === "content_block_delta" ? `${e.data.delta.type}` : e.event === "content_block_start" ? `start:${e.data.content_block.type}` : e.event,
  );

describe("non-stream responses (35-47)", () => {
  const ctx = ctxFor({ stop_sequences: ["END"] });
  const res = (message: object, finish: string | null = "stop", extra: object = {}) =>
    messagesFromChatResponse(
      {
        id: "chatcmpl-9x",
        choices: [{ index: 0, message, finish_reason: finish, ...extra }],
        usage: { prompt_tokens: 12000, completion_tokens: 80, prompt_tokens_details: { cached_tokens: 11500 } },
      },
      ctx,
      makeProfile({ thinkTags: true }),
    );
  test("text, tools, stop reasons, model echo, usage", () => {
    const a = res({ content: "Hi" });
    expect(a).toMatchObject({
      id: "msg_chatcmpl-9x",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-6",
      content: [{ type: "text", text: "Hi" }],
      stop_reason: "end_turn",
    });
    expect(a.usage).toEqual({ input_tokens: 500, output_tokens: 80, cache_creation_input_tokens: 0, cache_read_input_tokens: 11500 });
    const b = res({ content: "", tool_calls: [{ id: "call_1", type: "function", function: { name: "Bash", arguments: '{"command":"make"}' } }] }, "stop");
    expect(b.content).toEqual([{ type: "tool_use", id: "call_1", name: "Bash", input: { command: "make" } }]);
    expect(b.stop_reason).toBe("tool_use");
    expect(res({ content: "x" }, "length").stop_reason).toBe("max_tokens");
    expect(res({ content: "x" }, "content_filter").stop_reason).toBe("refusal");
  });
  test("thinking from reasoning_content, reasoning, and <think> tags, before the text", () => {
    for (const m of [{ reasoning_content: "r", content: "answer" }, { reasoning: "r", content: "answer" }, { content: "<think>r</think>answer" }]) {
      const out = res(m);
      expect(out.content.map((b: any) => b.type)).toEqual(["thinking", "text"]);
      expect(out.content[0].thinking).toBe("r");
      expect(out.content[0].signature).toMatch(/^gw1\.[A-Za-z0-9_-]{43}$/);
      expect(out.content[1].text).toBe("answer");
    }
  });
  test("arguments: empty, repairable, hopeless; ids sanitized or minted", () => {
    const tc = (id: string | undefined, args: string) => res({ tool_calls: [{ id, type: "function", function: { name: "T", arguments: args } }] }).content[0];
    expect(tc("a", "").input).toEqual({});
    expect(tc("a", '{"a":1,}').input).toEqual({ a: 1 });
    expect(tc("a", '{"a": [1, 2').input).toEqual({ a: [1, 2] });
    expect(tc("a", "not json at all").input).toEqual({ __gateway_invalid_json__: "not json at all" });
    expect(tc("a", JSON.stringify(JSON.stringify({ z: 1 }))).input).toEqual({ z: 1 });
    expect(tc("functions.Bash:0", "{}").id).toBe("functions_Bash_0");
    expect(tc(undefined, "{}").id).toMatch(/^toolu_[A-Za-z0-9]{24}$/);
  });
  test("cache usage variants and a matched stop sequence", () => {
    const u = (usage: object) => messagesFromChatResponse({ choices: [{ message: { content: "x" }, finish_reason: "stop" }], usage }, ctx, makeProfile()).usage;
    expect(u({ prompt_tokens: 100, completion_tokens: 1, prompt_cache_hit_tokens: 60 }).cache_read_input_tokens).toBe(60);
    expect(u({ prompt_tokens: 100, completion_tokens: 1, cached_tokens: 30 })).toEqual({
      input_tokens: 70,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 30,
    });
    const s = res({ content: "x" }, "stop", { stop_reason: "END" });
    expect([s.stop_reason, s.stop_sequence]).toEqual(["stop_sequence", "END"]);
  });
  test("no choices is an upstream error", () => {
    expect(() => messagesFromChatResponse({ choices: [] }, ctx, makeProfile())).toThrow(/no choices/);
  });
});

describe("streams (48-64)", () => {
  test("48-49, 57: plain text, the empty first chunk opens nothing, trailing usage lands in message_delta", async () => {
    const evs = checkAnthropicStream(await convert(F.TEXT));
    expect(kinds(evs)).toEqual(["message_start", "ping", "start:text", "text_delta", "text_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(evs[0]!.data.message.model).toBe("claude-sonnet-4-6");
    expect(evs[6]!.data).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 800 } });
  });
  test("50-52: reasoning then text then two interleaved tools, each with its own JSON", async () => {
    const evs = checkAnthropicStream(await convert(F.PARALLEL_TOOLS));
    expect(kinds(evs)).toEqual([
      "message_start",
      "ping",
      "start:thinking",
      "thinking_delta",
      "signature_delta",
      "content_block_stop",
      "start:text",
      "text_delta",
      "content_block_stop",
      "start:tool_use",
      "input_json_delta",
      "content_block_stop",
      "start:tool_use",
      "input_json_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(evs[7]!.data.delta.text).toBe("\n\nReading.");
    expect(evs[10]!.data.delta.partial_json).toBe(`{"file_path":"/a"}`);
    expect(evs[13]!.data.delta.partial_json).toBe(`{"file_path":"/b"}`);
    expect(evs[15]!.data.delta.stop_reason).toBe("tool_use");
  });
  test("50, 58, 59: whitespace before a tool opens no text block; usage inside the choice; no [DONE]", async () => {
    const evs = checkAnthropicStream(await convert(F.KIMI));
    expect(kinds(evs).filter((k) => k?.startsWith("start:"))).toEqual(["start:thinking", "start:tool_use"]);
    const tool = evs.find((e) => e.data.content_block?.type === "tool_use")!;
    expect(tool.data.content_block.id).toBe("functions_Bash_0");
    expect(evs.at(-2)!.data.usage).toMatchObject({ input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 20 });
  });
  test("54-55: tool calls without index, several in one delta", async () => {
    const evs = checkAnthropicStream(await convert(F.NO_INDEX));
    expect(evs.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.name)).toEqual(["A", "B"]);
    expect(evs.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json)).toEqual([`{"x":1}`, `{"y":2}`]);
  });
  test("<think> tags split across chunks become a thinking block", async () => {
    const evs = checkAnthropicStream(await convert(F.THINK_TAGS, { thinkTags: true }));
    const text = (t: string) =>
      evs
        .filter((e) => e.data.delta?.type === t)
        .map((e) => e.data.delta[t === "text_delta" ? "text" : "thinking"])
        .join("");
    expect(text("thinking_delta")).toBe("deep thoughts");
    expect(text("text_delta")).toBe("The answer is 4.");
  });
  test("56, 59, 60: content with finish in one chunk; finish without [DONE]; [DONE] without finish", async () => {
    expect(kinds(checkAnthropicStream(await convert(F.FINISH_NO_DONE)))).toContain("message_stop");
    const e = checkAnthropicStream(await convert(F.DONE_NO_FINISH));
    expect(e.at(-2)!.data.delta.stop_reason).toBe("end_turn");
  });
  test("61-62: a truncated stream and a mid-stream error end with an error event, never message_stop", async () => {
    const t = checkAnthropicStream(await convert(F.TRUNCATED));
    expect(t.at(-1)!.data.error).toEqual({ type: "api_error", message: "upstream stream ended unexpectedly" });
    const m = checkAnthropicStream(await convert(F.MID_ERROR));
    expect(m.at(-1)!.data.error.type).toBe("rate_limit_error");
    expect(kinds(m)).not.toContain("message_stop");
  });
  test("live tool streaming keeps the grammar", async () => {
    checkAnthropicStream(await convert(F.PARALLEL_TOOLS, { toolStreaming: "live" }));
    checkAnthropicStream(await convert(F.NO_INDEX, { toolStreaming: "live" }));
  });
  test("property: any split of the upstream bytes gives the same output, and it always obeys the grammar", async () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const fixture of [F.TEXT, F.PARALLEL_TOOLS, F.KIMI, F.THINK_TAGS, F.NO_INDEX, F.MID_ERROR]) {
      const whole = fixture.join("");
      const expected = await convert([whole], { thinkTags: fixture === F.THINK_TAGS });
      checkAnthropicStream(expected);
      for (let round = 0; round < 30; round++) {
        const pieces: string[] = [];
        for (let i = 0; i < whole.length; ) {
          const n = 1 + Math.floor(rnd() * 40);
          pieces.push(whole.slice(i, i + n));
          i += n;
        }
        expect(await convert(pieces, { thinkTags: fixture === F.THINK_TAGS })).toBe(expected);
      }
    }
  });
});

describe("cache-write tokens", () => {
  test("OpenRouter's prompt_tokens_details.cache_write_tokens become cache_creation_input_tokens", () => {
    const u = mapUsage(
      { prompt_tokens: 1000, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 300 } },
      { input: 1, output: 1 },
    );
    expect(u).toEqual({ input_tokens: 500, output_tokens: 7, cache_creation_input_tokens: 300, cache_read_input_tokens: 200 });
  });
});
