// Content moderation end to end: the official SDKs through the gateway, a scripted upstream, and a mock
// moderation service (OpenAI-compatible and webhook) on 127.0.0.1 that can be made slow or failing.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { checkAnthropicStream, events } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockModeration } from "../helpers/mock-moderation";
import { startMockUpstream, type Script } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

let upstream: ReturnType<typeof startMockUpstream>;
let mod: ReturnType<typeof startMockModeration>;
let gw: TestGateway;
let next: Script | undefined;

const oaChunk = (content: string, finish: string | null = null) =>
  `data: {"id":"chatcmpl-m","object":"chat.completion.chunk","created":1700000000,"model":"up","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
const antEvent = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const antStart = antEvent("message_start", {
  message: {
    id: "msg_m",
    type: "message",
    role: "assistant",
    model: "up",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const antText = (text: string) => antEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
const FINE = "The first part is fine. "; // 24 characters: one full window of 20

beforeAll(() => {
  upstream = startMockUpstream(() => {
    const s = next ?? {};
    next = undefined;
    return s;
  });
  mod = startMockModeration();
  const common = `url: "${mod.url}/v1/moderations", provider: openai, api_key: sk-mod, window_chars: 20, timeout_ms: 300`;
  gw = startGateway(`
backends:
  oa: { base_url: "${upstream.url}" }
models:
  m-openai:
    moderation: { ${common}, model: omni-moderation-latest }
    backends: { "default:1": { use: oa } }
  m-hook:
    moderation: { provider: webhook, url: "${mod.url}/hook", window_chars: 20, window_ms: 100, replacement: "[withheld]" }
    backends: { "default:1": { use: oa } }
  m-error:
    moderation: { ${common}, on_flag: error }
    backends: { "default:1": { use: oa } }
  m-closed:
    moderation: { ${common}, on_error: deny }
    backends: { "default:1": { use: oa } }
  m-threshold:
    moderation: { ${common}, thresholds: { harassment: 0.3 } }
    backends: { "default:1": { use: oa } }
  m-converted:
    moderation: { ${common} }
    backends: { "default:1": { base_url: "${upstream.url}", convert_to_messages: from_chat, profile: { ping_interval_ms: 0 } } }
  m-input-only:
    moderation: { ${common}, output: false }
    backends: { "default:1": { use: oa } }
users:
  acme:
    api_keys: { alice: sk-acme-alice-1 }
    models:
      m-openai: { moderation: { enabled: false } }
      m-input-only: { moderation: { output: true } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  mod.stop();
});
beforeEach(() => {
  mod.mode.delayMs = 0;
  mod.mode.failStatus = 0;
  mod.mode.failOn = undefined;
});

// anonymous callers send no key at all (a key the gateway does not know is refused): the SDKs' headers are removed
const openai = (apiKey?: string) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: apiKey ?? "none", maxRetries: 0, defaultHeaders: apiKey ? {} : { authorization: null } });
const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: "none", maxRetries: 0, defaultHeaders: { "x-api-key": null, authorization: null } });
const post = (path: string, body: object) => postJson(gw.url, path, body);
const lastLog = () => gw.logs.at(-1);
const waitAborted = async (before: number) => {
  for (let i = 0; i < 50 && upstream.aborted.length === before; i++) await Bun.sleep(20);
  return upstream.aborted.length > before;
};

describe("allowed traffic", () => {
  test("input and output are checked and the answer passes unchanged; the access log has each decision", async () => {
    const calls = mod.calls.length;
    const res = await openai().chat.completions.create({
      model: "m-openai",
      messages: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "hello there" },
      ],
    });
    expect(res.choices[0]!.message.content).toBe("Hi from upstream é中");
    const made = mod.calls.slice(calls);
    expect(made.map((c) => c.body.input)).toEqual(["Be kind.\nhello there", "Hi from upstream é中"]);
    expect(made[0]).toMatchObject({ path: "/v1/moderations", authorization: "Bearer sk-mod", body: { model: "omni-moderation-latest" } });
    expect(lastLog().moderation).toMatchObject([
      { direction: "input", decision: "allow", checks: 1 },
      { direction: "output", decision: "allow", checks: 1 },
    ]);
    expect(lastLog().moderation[0].ms).toBeGreaterThanOrEqual(0);
  });
  test("a stream arrives whole, in order, checked window by window", async () => {
    next = { chunks: [oaChunk(FINE), oaChunk("and so is this second part."), oaChunk("", "stop"), "data: [DONE]\n\n"] };
    const calls = mod.calls.length;
    const stream = await openai().chat.completions.create({ model: "m-openai", stream: true, messages: [{ role: "user", content: "tell me" }] });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe(FINE + "and so is this second part.");
    const outputs = mod.calls.slice(calls + 1).map((c) => c.body.input);
    expect(outputs).toEqual([FINE, FINE + "and so is this second part."]); // the second window repeats the first one's tail
    expect(lastLog().moderation[1]).toMatchObject({ direction: "output", decision: "allow", checks: 2 });
  });
  test("the webhook gets the text, direction, model and org", async () => {
    const calls = mod.calls.length;
    await openai().chat.completions.create({ model: "m-hook", messages: [{ role: "user", content: "hi" }] });
    expect(mod.calls[calls]).toMatchObject({ path: "/hook", body: { text: "hi", direction: "input", model: "m-hook", org: null } });
    expect(mod.calls[calls + 1]!.body).toMatchObject({ direction: "output" });
  });
});

describe("flagged input", () => {
  test("OpenAI client: a 400 content_filter with the reason; the upstream is never called", async () => {
    const seen = upstream.seen.length;
    const err = await openai()
      .chat.completions.create({ model: "m-openai", messages: [{ role: "user", content: "say FORBIDDEN" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe("content_filter");
    expect(err.message).toContain("Request blocked by content moderation: flagged for violence (0.97)");
    expect(upstream.seen.length).toBe(seen);
    expect(lastLog()).toMatchObject({ status: 400, moderation: [{ direction: "input", decision: "flag", category: "violence" }] });
  });
  test("Anthropic client: an invalid_request_error, also for text inside a tool result; the upstream is never called", async () => {
    const seen = upstream.seen.length;
    const err = await anthropic()
      .messages.create({
        model: "m-hook",
        max_tokens: 100,
        messages: [
          { role: "user", content: "read it" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "file says FORBIDDEN" }] }] },
        ],
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.error.error).toMatchObject({ type: "invalid_request_error", message: "Request blocked by content moderation: contains FORBIDDEN" });
    expect(upstream.seen.length).toBe(seen);
  });
});

describe("flagged output", () => {
  test("OpenAI stream: no flagged text reaches the client, it ends with content_filter and [DONE], the upstream is cancelled", async () => {
    next = { chunks: [oaChunk(FINE), oaChunk("now FORBIDDEN text"), oaChunk(" and more")], hang: true };
    const aborted = upstream.aborted.length;
    const res = await post("/v1/chat/completions", { model: "m-openai", stream: true, messages: [{ role: "user", content: "go" }] });
    const raw = await res.text();
    expect(raw).not.toContain("FORBIDDEN");
    const chunks = raw
      .split("\n\n")
      .filter(Boolean)
      .map((e) => e.slice(6));
    expect(chunks.at(-1)).toBe("[DONE]");
    const last = JSON.parse(chunks.at(-2)!);
    expect(last).toMatchObject({
      id: "chatcmpl-m",
      choices: [{ delta: { content: "This response was withheld by content moderation." }, finish_reason: "content_filter" }],
    });
    expect(
      chunks
        .slice(0, -2)
        .map((c) => JSON.parse(c).choices[0].delta.content)
        .join(""),
    ).toBe(FINE);
    expect(await waitAborted(aborted)).toBe(true);
    expect(lastLog().moderation[1]).toMatchObject({ direction: "output", decision: "flag", category: "violence", checks: 2 });
  });
  test("the openai SDK reads a flagged stream to its end without error", async () => {
    next = { chunks: [oaChunk("FORBIDDEN at once, no doubt")], hang: true };
    const stream = await openai().chat.completions.create({ model: "m-hook", stream: true, messages: [{ role: "user", content: "go" }] });
    const got: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) got.push(c);
    expect(got.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("[withheld]");
    expect(got.at(-1)!.choices[0]!.finish_reason).toBe("content_filter");
    expect(got[0]!.choices[0]!.delta.role).toBe("assistant");
  });
  test("Anthropic stream: the open block is closed, the replacement follows, stop_reason refusal; the grammar holds", async () => {
    next = {
      chunks: [
        antStart,
        antEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        antText(FINE),
        antText("then FORBIDDEN"),
        antText(" more"),
      ],
      hang: true,
    };
    const aborted = upstream.aborted.length;
    const res = await post("/v1/messages", { model: "m-openai", max_tokens: 100, stream: true, messages: [{ role: "user", content: "go" }] });
    const raw = await res.text();
    expect(raw).not.toContain("FORBIDDEN");
    checkAnthropicStream(raw);
    const evs = events(raw);
    expect(evs.map((e) => e.data.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(evs[4]!.data.index).toBe(1);
    expect(evs[7]!.data.delta.stop_reason).toBe("refusal");
    expect(await waitAborted(aborted)).toBe(true);
  });
  test("the Anthropic SDK accumulates a flagged stream: the text before the flag, then the replacement", async () => {
    next = {
      chunks: [antStart, antEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }), antText(FINE), antText("FORBIDDEN")],
      hang: true,
    };
    const msg = await anthropic()
      .messages.stream({ model: "m-hook", max_tokens: 100, messages: [{ role: "user", content: "go" }] })
      .finalMessage();
    expect(msg.stop_reason).toBe("refusal");
    expect(msg.content).toMatchObject([
      { type: "text", text: FINE },
      { type: "text", text: "[withheld]" },
    ]);
  });
  test("text that does not fill a window is checked after window_ms when the upstream goes quiet", async () => {
    next = { chunks: [oaChunk("short "), oaChunk("FORBIDDEN")], hang: true };
    const started = performance.now();
    const raw = await (await post("/v1/chat/completions", { model: "m-hook", stream: true, messages: [{ role: "user", content: "go" }] })).text();
    expect(raw).not.toContain("FORBIDDEN");
    expect(raw).toContain('"finish_reason":"content_filter"');
    expect(performance.now() - started).toBeGreaterThanOrEqual(90); // held for window_ms (100) first
  });
  test("a converted stream (OpenAI backend → Anthropic client) flagged before anything went out still has a valid shape", async () => {
    next = { chunks: [oaChunk("FORBIDDEN right away")], hang: true };
    const res = await post("/v1/messages", { model: "m-converted", max_tokens: 100, stream: true, messages: [{ role: "user", content: "go" }] });
    const raw = await res.text();
    expect(raw).not.toContain("FORBIDDEN");
    const evs = checkAnthropicStream(raw);
    expect(evs.at(-2)!.data.delta.stop_reason).toBe("refusal");
  });
  test("whole answers are replaced: finish_reason content_filter (OpenAI), stop_reason refusal (Anthropic)", async () => {
    next = {
      body: `{"id":"c1","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"FORBIDDEN"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
    };
    const oa = await openai().chat.completions.create({ model: "m-openai", messages: [{ role: "user", content: "go" }] });
    expect(oa.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "This response was withheld by content moderation.", refusal: null },
        logprobs: null,
        finish_reason: "content_filter",
      },
    ]);
    expect(oa.usage?.total_tokens).toBe(2);
    next = {
      body: `{"id":"msg_1","type":"message","role":"assistant","model":"up","content":[{"type":"text","text":"FORBIDDEN"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}`,
    };
    const ant = await anthropic().messages.create({ model: "m-hook", max_tokens: 10, messages: [{ role: "user", content: "go" }] });
    expect(ant).toMatchObject({ stop_reason: "refusal", content: [{ type: "text", text: "[withheld]" }] });
  });
  test("on_flag: error answers a 400 for a whole answer and an in-band error for a stream", async () => {
    next = {
      body: `{"id":"c1","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"FORBIDDEN"},"finish_reason":"stop"}]}`,
    };
    const res = await post("/v1/chat/completions", { model: "m-error", messages: [{ role: "user", content: "go" }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({
      code: "content_filter",
      message: "Output blocked by content moderation: flagged for violence (0.97)",
    });
    next = { chunks: [oaChunk(FINE), oaChunk("FORBIDDEN")], hang: true };
    const raw = await (await post("/v1/chat/completions", { model: "m-error", stream: true, messages: [{ role: "user", content: "go" }] })).text();
    expect(raw).not.toContain('FORBIDDEN"');
    const last = JSON.parse(raw.trim().split("\n\n").at(-1)!.slice(6));
    expect(last.error).toMatchObject({ code: "content_filter" });
  });
  test("thresholds flag a category the service itself let pass", async () => {
    const edgy = {
      body: `{"id":"c1","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"so EDGY"},"finish_reason":"stop"}]}`,
    };
    next = edgy;
    expect((await openai().chat.completions.create({ model: "m-openai", messages: [{ role: "user", content: "go" }] })).choices[0]!.message.content).toBe(
      "so EDGY",
    );
    next = edgy;
    const flagged = await openai().chat.completions.create({ model: "m-threshold", messages: [{ role: "user", content: "go" }] });
    expect(flagged.choices[0]!.finish_reason).toBe("content_filter");
    expect(lastLog().moderation[1]).toMatchObject({ decision: "flag", category: "harassment" });
  });
});

describe("per-org settings", () => {
  test("an org that turns moderation off is not checked; anonymous callers still are", async () => {
    const calls = mod.calls.length;
    const res = await openai("sk-acme-alice-1").chat.completions.create({ model: "m-openai", messages: [{ role: "user", content: "FORBIDDEN is fine here" }] });
    expect(res.choices[0]!.message.content).toBe("Hi from upstream é中");
    expect(mod.calls.length).toBe(calls);
    expect(lastLog().moderation).toBeUndefined();
  });
  test("an org can turn output checks on where the model checks input only", async () => {
    const calls = mod.calls.length;
    await openai().chat.completions.create({ model: "m-input-only", messages: [{ role: "user", content: "hi" }] });
    expect(mod.calls.length - calls).toBe(1);
    await openai("sk-acme-alice-1").chat.completions.create({ model: "m-input-only", messages: [{ role: "user", content: "hi" }] });
    expect(mod.calls.length - calls).toBe(3);
  });
});

describe("a slow or failing moderation service", () => {
  for (const [name, setup] of [
    ["slow (past timeout_ms)", () => (mod.mode.delayMs = 600)],
    ["failing (500)", () => (mod.mode.failStatus = 500)],
  ] as const) {
    test(`${name}, fail-open: the request goes through and the log says the check failed open`, async () => {
      setup();
      const res = await openai().chat.completions.create({ model: "m-openai", messages: [{ role: "user", content: "hi" }] });
      expect(res.choices[0]!.message.content).toBe("Hi from upstream é中");
      expect(lastLog().moderation).toMatchObject([
        { direction: "input", decision: "error", failed_open: true },
        { direction: "output", decision: "error", failed_open: true },
      ]);
    });
    test(`${name}, fail-closed: a 503 in the caller's shape; the upstream is never called`, async () => {
      setup();
      const seen = upstream.seen.length;
      // text no earlier test sent: an allowed text is remembered, and would skip the input check
      const res = await post("/v1/messages", { model: "m-closed", max_tokens: 10, messages: [{ role: "user", content: `hi from ${name}` }] });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.message).toStartWith("content moderation is unavailable: moderation service");
      expect(upstream.seen.length).toBe(seen);
    });
  }
  test("fail-closed on a stream whose output check fails: the stream ends with an in-band error and no unchecked text", async () => {
    next = { chunks: [oaChunk(FINE), oaChunk("unchecked words here")], hang: true };
    mod.mode.failOn = "first part"; // the input check passes, the first output window fails
    const raw = await (await post("/v1/chat/completions", { model: "m-closed", stream: true, messages: [{ role: "user", content: "hi" }] })).text();
    expect(raw).not.toContain("unchecked");
    expect(raw).not.toContain("first part");
    expect(JSON.parse(raw.trim().split("\n\n").at(-1)!.slice(6)).error.message).toContain("content moderation is unavailable");
  });
});
