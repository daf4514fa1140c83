// Converted routes never lose what the client asked for (#15): errors sent as 200, request ids, max_tokens: 0.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as F from "../fixtures/openai-streams";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startScriptedUpstream } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startScriptedUpstream>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startScriptedUpstream();
  gw = startGateway(`
backends:
  openai-like:
    base_url: "${upstream.url}"
    convert_to_messages: from_chat
    profile: { ping_interval_ms: 0 }
  claude-api:
    base_url: "${upstream.url}"
    convert_to_chat: from_messages
  claude-api-tools:
    base_url: "${upstream.url}"
    convert_to_chat: from_messages
    profile: { structured_output: tool, ping_interval_ms: 0 }
models:
  claude-x:
    backends: { "default:1": { use: openai-like } }
  gpt-on-claude:
    backends: { "default:1": { use: claude-api } }
  gpt-on-claude-tools:
    backends: { "default:1": { use: claude-api-tools } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "k", maxRetries: 0 });
const seenJson = () => JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));
const anthropicEvents = (events: object[]) => events.map((e: any) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: "k", maxRetries: 0 });
const ask = { model: "claude-x", max_tokens: 100, messages: [{ role: "user" as const, content: "hi" }] };

describe("an error object in an HTTP 200 answer", () => {
  test("a rate limit sent as 200 is a 429 rate_limit_error with the upstream's message", async () => {
    upstream.next = { body: JSON.stringify({ error: { message: "Rate limit reached for requests", code: "rate_limit_exceeded" } }) };
    const err = (await anthropic()
      .messages.create(ask)
      .catch((e) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.message).toContain("Rate limit reached for requests");
  });

  test("OpenRouter's numeric code gives the status; a context overflow gets Claude Code's wording", async () => {
    upstream.next = { body: JSON.stringify({ error: { message: "Provider returned error", code: 502, metadata: { provider_name: "X" } } }) };
    const r = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify(ask) });
    expect(r.status).toBe(500); // Anthropic has no 502: an upstream failure is api_error
    expect(((await r.json()) as any).error.message).toContain("Provider returned error");
    upstream.next = {
      body: JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens." } }),
    };
    const c = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify(ask) });
    expect(c.status).toBe(400);
    expect(((await c.json()) as any).error.message).toBe("prompt is too long: 9000 tokens > 8192 maximum");
  });

  test("an error chunk in a stream keeps its kind", async () => {
    upstream.next = { chunks: [`data: ${JSON.stringify({ error: { message: "slow down", code: "rate_limit_exceeded" } })}\n\n`] };
    const err = await anthropic()
      .messages.stream(ask)
      .finalMessage()
      .catch((e) => e);
    expect(String(err)).toContain("rate_limit_error");
    expect(String(err)).toContain("slow down");
  });
});

describe("request-id on converted answers", () => {
  test("answers, streams and errors carry request-id; error bodies carry request_id", async () => {
    const ok = await anthropic().messages.create(ask).withResponse();
    expect(ok.request_id).toMatch(/\S{8,}/);
    expect(ok.response.headers.get("x-octollm-request-id")).toBe(ok.request_id ?? "");
    upstream.next = { chunks: F.TEXT };
    const stream = anthropic().messages.stream(ask);
    await stream.finalMessage();
    expect(stream.request_id).toMatch(/\S{8,}/);
    upstream.next = { status: 400, body: JSON.stringify({ error: { message: "bad temperature" } }) };
    const err = (await anthropic()
      .messages.create(ask)
      .catch((e) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.requestID).toMatch(/\S{8,}/);
    expect((err.error as any).request_id).toBe(err.requestID);
    expect(ok.request_id).not.toBe(err.requestID);
  });
});

describe("max_tokens: 0 (a prompt-cache pre-warm)", () => {
  test("answered by the gateway: 200, no content, end_turn, estimated input, no upstream call", async () => {
    const before = upstream.seen.length;
    const msg = await anthropic().messages.create({ ...ask, max_tokens: 0, system: "x".repeat(4000) });
    expect(msg.content).toEqual([]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBeGreaterThan(900);
    expect(msg.usage.output_tokens).toBe(0);
    const streamed = await anthropic()
      .messages.stream({ ...ask, max_tokens: 0 })
      .finalMessage();
    expect([streamed.content, streamed.stop_reason]).toEqual([[], "end_turn"]);
    expect(upstream.seen.length).toBe(before);
  });
});

describe("structured output: an OpenAI client's json_schema on an Anthropic backend", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
  const request = (model: string) => ({
    model,
    messages: [{ role: "user" as const, content: "where?" }],
    response_format: { type: "json_schema" as const, json_schema: { name: "place", schema, strict: true } },
  });
  const message = (content: object[], stop = "end_turn") =>
    JSON.stringify({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "m",
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 5 },
    });

  test("output_config.format upstream; the JSON text comes back for chat.completions.parse", async () => {
    upstream.next = { body: message([{ type: "text", text: '{"city":"Paris"}' }]) };
    const done = await openai().chat.completions.parse(request("gpt-on-claude"));
    expect(seenJson().output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(done.choices[0]!.message.parsed as unknown).toEqual({ city: "Paris" });
  });

  test("profile structured_output: tool — a forced tool upstream, its input is the answer (whole and streamed)", async () => {
    upstream.next = { body: message([{ type: "tool_use", id: "toolu_1", name: "place", input: { city: "Oslo" } }], "tool_use") };
    const done = await openai().chat.completions.parse(request("gpt-on-claude-tools"));
    const seen = seenJson();
    expect(seen.tools).toEqual([expect.objectContaining({ name: "place", input_schema: schema })]);
    expect(seen.tool_choice).toEqual({ type: "tool", name: "place" });
    expect(seen.output_config).toBeUndefined();
    expect(done.choices[0]!.message.parsed as unknown).toEqual({ city: "Oslo" });
    expect(done.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(done.choices[0]!.finish_reason).toBe("stop");
    upstream.next = {
      chunks: anthropicEvents([
        {
          type: "message_start",
          message: { id: "msg_2", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: 3, output_tokens: 1 } },
        },
        { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_2", name: "place", input: {} } },
        { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"city":' } },
        { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '"Rome"}' } },
        { type: "content_block_stop", index: 0 },
        { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 6 } },
        { type: "message_stop" },
      ]),
    };
    const streamed = await openai().chat.completions.stream(request("gpt-on-claude-tools")).finalChatCompletion();
    expect(JSON.parse(streamed.choices[0]!.message.content!)).toEqual({ city: "Rome" }); // the SDK's stream parses only zod formats
    expect(streamed.choices[0]!.finish_reason).toBe("stop");
  });

  test("a schema that is not an object is a 400 naming the field", async () => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...request("gpt-on-claude"), response_format: { type: "json_schema", json_schema: { name: "x", schema: [1] } } }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.param).toBe("response_format.json_schema");
  });
});
