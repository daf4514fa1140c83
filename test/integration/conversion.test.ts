// Protocol conversion end to end: the official SDKs through the gateway to upstreams of the other protocol.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import * as F from "../fixtures/openai-streams";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { ANTHROPIC_BODY, startScriptedUpstream, type Script } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startScriptedUpstream>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startScriptedUpstream();
  gw = startGateway(`
backends:
  openai-like:
    base_url: "${upstream.url}"
    api_key: sk-up
    convert_to_messages: from_chat
    profile: { max_output_tokens: 8192, reasoning_history: reasoning_content, ping_interval_ms: 0 }
  anthropic-like:
    base_url: "${upstream.url}"
    api_key: sk-ant-up
    convert_to_chat: from_messages
models:
  claude-sonnet-4-5:
    backends: { "default:1": { use: openai-like, request_rewrites: { set_keys: { model: deepseek-v4 } } } }
  gpt-on-claude:
    backends: { "default:1": { use: anthropic-like } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: "client-key", maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "client-key", maxRetries: 0 });
const seenJson = () => JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));

describe("Anthropic client → OpenAI backend", () => {
  test("the upstream gets an OpenAI request, with the backend's key and model, no Anthropic headers", async () => {
    upstream.next = { chunks: F.TEXT };
    await anthropic()
      .messages.stream({ model: "claude-sonnet-4-5", max_tokens: 64000, system: "Be brief.", messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    const seen = upstream.seen.at(-1)!;
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.headers.authorization).toBe("Bearer sk-up");
    expect(seen.headers["anthropic-version"]).toBeUndefined();
    expect(seenJson()).toEqual({
      model: "deepseek-v4",
      max_tokens: 8192,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    });
  });
  test("the access log has the converted answer's tokens, as the converter knew them", async () => {
    upstream.next = { chunks: F.TEXT };
    await anthropic()
      .messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    await Bun.sleep(20);
    expect(gw.logs.at(-1)).toMatchObject({ path: "/v1/messages", tokens_in: 900, tokens_out: 40 }); // 100 + 800 cached read
  });
  test("messages.stream() accumulates every recorded vendor stream", async () => {
    const cases: [string[], (m: Anthropic.Message) => void][] = [
      [F.TEXT, (m) => expect(m.content).toMatchObject([{ type: "text", text: "Hello" }])],
      [
        F.PARALLEL_TOOLS,
        (m) => {
          expect(m.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use", "tool_use"]);
          expect((m.content[2] as Anthropic.ToolUseBlock).input).toEqual({ file_path: "/a" });
          expect((m.content[3] as Anthropic.ToolUseBlock).input).toEqual({ file_path: "/b" });
          expect(m.stop_reason).toBe("tool_use");
          expect(m.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 800, output_tokens: 40 });
        },
      ],
      [F.KIMI, (m) => expect((m.content.at(-1) as Anthropic.ToolUseBlock).input).toEqual({ command: "ls" })],
      [F.NO_INDEX, (m) => expect(m.content.length).toBe(2)],
      [F.FINISH_NO_DONE, (m) => expect(m.stop_reason).toBe("end_turn")],
    ];
    for (const [chunks, check] of cases) {
      upstream.next = { chunks };
      const m = await anthropic()
        .messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "go" }] })
        .finalMessage();
      expect(m.model).toBe("claude-sonnet-4-5");
      check(m);
    }
  });
  test("the raw converted stream obeys the grammar and has the SSE headers", async () => {
    upstream.next = { chunks: F.PARALLEL_TOOLS, delayMs: 5 };
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: "POST",
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 100, stream: true, messages: [{ role: "user", content: "go" }] }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    checkAnthropicStream(await res.text());
  });
  test("a mid-stream upstream error reaches the SDK as an error, not a finished message", async () => {
    upstream.next = { chunks: F.MID_ERROR };
    const err = await anthropic()
      .messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "go" }] })
      .finalMessage()
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toContain("Rate limit reached");
  });
  test("non-stream: an OpenAI completion becomes an Anthropic message", async () => {
    const m = await anthropic().messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "go" }] });
    expect(m).toMatchObject({
      type: "message",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "Hi from upstream é中" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 5, output_tokens: 4 },
    });
  });
  test("count_tokens is answered locally: more than 0, and no upstream call", async () => {
    const before = upstream.seen.length;
    const r = await anthropic().messages.countTokens({
      model: "claude-sonnet-4-5",
      system: "You are a helpful assistant.",
      messages: [{ role: "user", content: "Summarize the file." }],
      tools: [{ name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } } } }],
    });
    expect(r.input_tokens).toBeGreaterThan(10);
    expect(upstream.seen.length).toBe(before);
  });
  test("upstream errors in Anthropic shape: context length wording, quota, overload, bad upstream key", async () => {
    const call = async (s: Script) => {
      upstream.next = s;
      const r = await fetch(`${gw.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 32000, messages: [{ role: "user", content: "go" }] }),
      });
      return { status: r.status, retry: r.headers.get("x-should-retry"), body: (await r.json()) as any };
    };
    const ctxErr = await call({
      status: 400,
      body: JSON.stringify({
        error: {
          message:
            "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (108000 in the messages, 32000 in the completion).",
          code: "context_length_exceeded",
        },
      }),
    });
    expect(ctxErr.status).toBe(400);
    expect(ctxErr.body.error.message).toBe(
      "input length and `max_tokens` exceed context limit: 108000 + 32000 > 131072, decrease input length or `max_tokens` and try again",
    );
    const quota = await call({ status: 429, body: JSON.stringify({ error: { message: "You exceeded your current quota", code: "insufficient_quota" } }) });
    expect([quota.status, quota.body.error.type, quota.retry]).toEqual([402, "billing_error", "false"]);
    expect((await call({ status: 503, body: "busy" })).status).toBe(529);
    const auth = await call({ status: 401, body: JSON.stringify({ error: { message: "bad key" } }) });
    // the gateway's own upstream key was refused: not the client's fault, not worth retrying (#14.6)
    expect([auth.status, auth.body.error.type]).toEqual([502, "api_error"]);
    expect(auth.body.error.message).toContain("bad key");
  });
});

describe("OpenAI client → Anthropic backend", () => {
  test("stream: text and usage through the SDK; the upstream got an Anthropic request with x-api-key", async () => {
    const stream = await openai().chat.completions.create({
      model: "gpt-on-claude",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "S" },
        { role: "user", content: "hi" },
      ],
    });
    let text = "";
    let usage: any;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe("Hello");
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
    const seen = upstream.seen.at(-1)!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("sk-ant-up");
    expect(seenJson()).toMatchObject({ model: "gpt-on-claude", max_tokens: 8192, stream: true, system: [{ type: "text", text: "S" }] });
  });
  test("non-stream and tool calls", async () => {
    const r = await openai().chat.completions.create({ model: "gpt-on-claude", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]!.message.content).toBe(JSON.parse(ANTHROPIC_BODY).content[0].text);
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    upstream.next = {
      chunks: [
        ev("message_start", { message: { id: "m1", usage: { input_tokens: 3, output_tokens: 1 } } }),
        ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "toolu_9", name: "get_weather", input: {} } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '{"city":' } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 5 } }),
        ev("message_stop", {}),
      ],
    };
    const s = openai().chat.completions.stream({
      model: "gpt-on-claude",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    const final = await s.finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: "toolu_9", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
  });
  test("Anthropic errors in OpenAI shape", async () => {
    upstream.next = { status: 529, body: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) };
    const err = await openai()
      .chat.completions.create({ model: "gpt-on-claude", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err.status).toBe(503);
    expect(err.error).toMatchObject({ type: "server_error", message: "Overloaded" });
  });
});
