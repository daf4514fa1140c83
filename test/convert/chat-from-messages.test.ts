// OpenAI client → Anthropic backend (docs/conversion.md).
import { describe, expect, test } from "bun:test";
import { ChatFromMessagesStream, chatFromMessagesRequest, chatFromMessagesError, chatFromMessagesResponse } from "../../src/convert";
import { SseParser, formatSse, type SseEvent } from "../../src/core";

const conv = (body: Record<string, any>) => chatFromMessagesRequest({ model: "claude-x", messages: [{ role: "user", content: "hi" }], ...body });

describe("request", () => {
  test("65: developer and system messages become the system blocks, in order", () => {
    const r = conv({
      messages: [
        { role: "developer", content: "Be terse." },
        { role: "system", content: "Use French." },
        { role: "user", content: "hi" },
      ],
    }).body;
    expect(r.system).toEqual([
      { type: "text", text: "Be terse." },
      { type: "text", text: "Use French." },
    ]);
    expect(r.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hi" }] }]);
  });
  test("66-67: tool results merge into one user turn before the text; tool_choice and parallel calls", () => {
    const r = conv({
      max_tokens: 1024,
      temperature: 0.2,
      stream: true,
      parallel_tool_calls: false,
      messages: [
        { role: "developer", content: "Be terse." },
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "user", content: "and in F?" },
      ],
      tools: [
        { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
      ],
    }).body;
    expect(r).toEqual({
      model: "claude-x",
      max_tokens: 1024,
      temperature: 0.2,
      stream: true,
      system: [{ type: "text", text: "Be terse." }],
      messages: [
        { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "18C" },
            { type: "text", text: "and in F?" },
          ],
        },
      ],
      tools: [{ name: "get_weather", description: "", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
    });
    expect(conv({ tools: [{ type: "function", function: { name: "x" } }], tool_choice: "required" }).body.tool_choice).toEqual({ type: "any" });
  });
  test("68-70: default max_tokens, refused features, reasoning budget", () => {
    expect(conv({}).body.max_tokens).toBe(8192);
    expect(() => conv({ n: 2 })).toThrow(/n > 1/);
    expect(() => conv({ logprobs: true })).toThrow(/logprobs/);
    expect(() => conv({ functions: [{ name: "f", parameters: {} }] })).toThrow(/use tools/);
    const r = conv({ reasoning_effort: "high", max_tokens: 1024, temperature: 0.5 }).body;
    expect(r.thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
    expect(r.max_tokens).toBeGreaterThan(r.thinking.budget_tokens);
    expect(r.temperature).toBeUndefined();
  });
  test("images, bad tool arguments, an unanswered call", () => {
    const img = conv({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAA" } }] }] }).body;
    expect(img.messages[0].content[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: "AAA" } });
    expect(() =>
      conv({
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: "{bad" } }] },
        ],
      }),
    ).toThrow(/arguments/);
    const r = conv({
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: "{}" } }] },
        { role: "user", content: "y" },
      ],
    }).body;
    expect(r.messages[2].content[0]).toEqual({ type: "tool_result", tool_use_id: "c", content: "(no result)", is_error: true });
  });
});

describe("response and stream", () => {
  const ctx = { requestedModel: "claude-x", stream: true, includeUsage: true };
  test("71: usage with cache reads and writes", () => {
    const r = chatFromMessagesResponse(
      {
        id: "m1",
        content: [
          { type: "text", text: "hi" },
          { type: "tool_use", id: "t", name: "f", input: { a: 1 } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 7 },
      },
      ctx,
    );
    // spec 71's counts, and the cache writes in prompt_tokens_details.cache_write_tokens (so they are priced as writes)
    expect(r.usage).toEqual({
      prompt_tokens: 105,
      completion_tokens: 7,
      total_tokens: 112,
      prompt_tokens_details: { cached_tokens: 90, cache_write_tokens: 5 },
    });
    expect(r.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { content: "hi", tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: `{"a":1}` } }] },
    });
  });
  const run = (events: string[], c = ctx) => {
    const m = new ChatFromMessagesStream(c);
    const p = new SseParser();
    let out = "";
    const text = (events: readonly SseEvent[]) => events.map((e) => formatSse(e)).join(""); // the events as the client gets them
    for (const e of p.push(events.join(""))) out += text(m.push(e));
    return out + text(m.end());
  };
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const TOOL_STREAM = [
    ev("message_start", { message: { id: "m1", usage: { input_tokens: 10, output_tokens: 1 } } }),
    ev("ping", {}),
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } }),
    ev("content_block_stop", { index: 0 }),
    ev("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} } }),
    ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }),
    ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"a":' } }),
    ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "1}" } }),
    ev("content_block_stop", { index: 1 }),
    ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } }),
    ev("message_stop", {}),
  ];
  test("72: tool calls, finish reason, usage chunk only when asked, [DONE]", () => {
    const out = run(TOOL_STREAM);
    const data = out
      .split("\n\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0]?.delta?.tool_calls?.[0]).filter(Boolean)).toEqual([
      { index: 0, id: "toolu_1", type: "function", function: { name: "f", arguments: "" } },
      { index: 0, function: { arguments: '{"a":' } },
      { index: 0, function: { arguments: "1}" } },
    ]);
    expect(chunks.at(-2).choices[0].finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 9, total_tokens: 19 } });
    expect(out).toContain(": ping\n\n");
    const noUsage = run(TOOL_STREAM, { ...ctx, includeUsage: false });
    expect(noUsage).not.toContain(`"usage"`);
  });
  test("73: an overloaded error mid-stream, no [DONE]; a truncated stream is an error too", () => {
    const out = run([TOOL_STREAM[0]!, ev("error", { error: { type: "overloaded_error", message: "Overloaded" } })]);
    expect(out).not.toContain("[DONE]");
    expect(JSON.parse(out.trim().split("\n").at(-1)!.slice(6)).error).toMatchObject({ type: "server_error", message: "Overloaded" });
    expect(run(TOOL_STREAM.slice(0, 4))).toContain("upstream stream ended unexpectedly");
  });
  test("error mapping", () => {
    expect(chatFromMessagesError({ type: "error", error: { type: "rate_limit_error", message: "slow" } }, 429)).toMatchObject({
      status: 429,
      openai: { type: "requests", code: "rate_limit_exceeded" },
    });
    expect(chatFromMessagesError({ error: { type: "overloaded_error", message: "o" } }, 529).status).toBe(503);
    expect(chatFromMessagesError({ error: { type: "authentication_error", message: "bad key" } }, 401)).toMatchObject({
      status: 500,
      openai: { message: "upstream authentication failed" },
    });
    expect(
      chatFromMessagesError({ error: { type: "invalid_request_error", message: "prompt is too long: 300000 tokens > 200000 maximum" } }, 400).openai.code,
    ).toBe("context_length_exceeded");
  });
});
