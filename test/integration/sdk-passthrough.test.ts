// The official SDKs talk through the gateway to an upstream on 127.0.0.1; bodies pass byte-identical both ways.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, httpConfig, type TestGateway } from "../helpers/gateway";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS, joined, startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
const sent: Uint8Array[] = [];
/** A fetch for the SDKs that records the exact bytes they send. */
const recordingFetch = (async (input: any, init?: any) => {
  if (init?.body) sent.push(typeof init.body === "string" ? new TextEncoder().encode(init.body) : new Uint8Array(await new Response(init.body).arrayBuffer()));
  return fetch(input, init);
}) as typeof fetch;

beforeAll(() => {
  upstream = startMockUpstream();
  gw = startGateway(httpConfig(upstream.url));
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const lastSeen = () => upstream.seen[upstream.seen.length - 1]!;
const lastSent = () => sent[sent.length - 1]!;

describe("OpenAI SDK through the gateway", () => {
  const client = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-client-key", maxRetries: 0, fetch: recordingFetch });

  test("non-stream: result, and request bytes reach the upstream unchanged", async () => {
    const res = await client().chat.completions.create({ model: "up-model", messages: [{ role: "user", content: "héllo 中" }] });
    expect(res.choices[0]!.message.content).toBe("Hi from upstream é中");
    expect(res.usage?.total_tokens).toBe(9);
    expect(Buffer.from(lastSeen().body).equals(Buffer.from(lastSent()))).toBe(true);
    expect(lastSeen().path).toBe("/v1/chat/completions");
  });

  test("stream: SDK accumulates the text and usage", async () => {
    const stream = await client().chat.completions.create({
      model: "up-model",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    });
    let text = "";
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello");
    expect(usage.total_tokens).toBe(7);
    expect(Buffer.from(lastSeen().body).equals(Buffer.from(lastSent()))).toBe(true);
  });

  test("upstream gets the gateway's key as Bearer, never the client's", async () => {
    await client().chat.completions.create({ model: "up-model", messages: [{ role: "user", content: "x" }] });
    const h = lastSeen().headers;
    expect(h.authorization).toBe("Bearer sk-upstream-secret");
    expect(JSON.stringify(h)).not.toContain("sk-client-key");
    expect(h["x-api-key"]).toBeUndefined();
  });
});

describe("Anthropic SDK through the gateway", () => {
  const client = () => new Anthropic({ baseURL: gw.url, apiKey: "sk-ant-client", maxRetries: 0, fetch: recordingFetch });

  test("non-stream: result, and the upstream sees x-api-key, version and beta headers", async () => {
    const msg = await client().messages.create(
      { model: "up-model", max_tokens: 64, messages: [{ role: "user", content: "hello" }] },
      { headers: { "anthropic-beta": "prompt-caching-2024-07-31" } },
    );
    expect(msg.content[0]).toEqual({ type: "text", text: "Hi from upstream é中" } as any);
    const h = lastSeen().headers;
    expect(h["x-api-key"]).toBe("sk-upstream-secret");
    expect(h.authorization).toBeUndefined();
    expect(h["anthropic-version"]).toBeTruthy();
    expect(h["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
    expect(JSON.stringify(h)).not.toContain("sk-ant-client");
    expect(Buffer.from(lastSeen().body).equals(Buffer.from(lastSent()))).toBe(true);
  });

  test("stream: messages.stream() gives the final message", async () => {
    const stream = client().messages.stream({ model: "up-model", max_tokens: 64, messages: [{ role: "user", content: "hello" }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "Hello" }] as any);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(2);
  });

  test("count_tokens is forwarded to the Anthropic backend", async () => {
    const res = await client().messages.countTokens({ model: "up-model", messages: [{ role: "user", content: "hello" }] });
    expect(res.input_tokens).toBe(42);
    expect(lastSeen().path).toBe("/v1/messages/count_tokens");
  });
});

describe("raw bytes", () => {
  const post = (path: string, body: object, headers: Record<string, string> = {}) => postJson(gw.url, path, body, { headers });

  test("OpenAI non-stream body is byte-identical", async () => {
    const res = await post("/v1/chat/completions", { model: "up-model", messages: [] });
    expect(await res.text()).toBe(OPENAI_BODY);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("x-octollm-request-id")).toMatch(/^req_/);
    expect(res.headers.get("x-octollm-backend")).toBe("default:1");
  });

  test("OpenAI stream is byte-identical, comments and odd spacing included", async () => {
    const res = await post("/v1/chat/completions", { model: "up-model", stream: true, messages: [] });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe(joined(OPENAI_CHUNKS));
  });

  test("Anthropic non-stream and stream are byte-identical, with ?beta=true", async () => {
    const a = await post("/v1/messages?beta=true", { model: "up-model", max_tokens: 5, messages: [] }, { "anthropic-version": "2023-06-01" });
    expect(await a.text()).toBe(ANTHROPIC_BODY);
    const b = await post("/v1/messages?beta=true", { model: "up-model", max_tokens: 5, stream: true, messages: [] });
    expect(await b.text()).toBe(joined(ANTHROPIC_CHUNKS));
  });

  test("the access log has one line per request with model, backend, status and bytes", async () => {
    const before = gw.logs.length;
    const res = await post("/v1/chat/completions?x=1", { model: "up-model", messages: [] });
    const rid = res.headers.get("x-octollm-request-id");
    await res.text();
    await Bun.sleep(20);
    const lines = gw.logs.slice(before);
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatchObject({
      rid,
      method: "POST",
      path: "/v1/chat/completions",
      model: "up-model",
      backend: "default:1",
      status: 200,
      bytes_out: OPENAI_BODY.length,
      outcome: "ok",
    });
    expect(JSON.stringify(lines)).not.toContain("sk-upstream-secret");
  });
});
