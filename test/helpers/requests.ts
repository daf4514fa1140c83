// One builder for the gateway's own request type in engine tests.
import { LazyBody, newRequestContext, type Caller, type LLMRequest } from "../../src/core";

/** What a test request may set; everything else gets a plain default. */
export interface TestRequest {
  format?: LLMRequest["format"];
  path?: string;
  /** A value (serialized when sent), or the exact text the client sent. */
  body?: object | string;
  headers?: Record<string, string>;
  caller?: Caller;
  /** The model the router found (rules read it from the context). */
  model?: string;
}

/** An LLMRequest for engine tests (OpenAI chat, path "/", an empty body unless told otherwise). */
export function llmRequest(t: TestRequest = {}): LLMRequest {
  const body = typeof t.body === "string" ? LazyBody.fromBytes(new TextEncoder().encode(t.body)) : LazyBody.fromValue(t.body ?? {});
  return {
    format: t.format ?? "openai.chat",
    path: t.path ?? "/",
    headers: new Headers(t.headers),
    body,
    signal: new AbortController().signal,
    ctx: { ...newRequestContext("r", 0), route: { model: t.model }, ...(t.caller ? { caller: t.caller } : {}) },
  };
}

/** POSTs `body` as JSON to `base + path`; `key` goes as a Bearer token. The one HTTP helper the integration tests share. */
export function postJson(base: string, path: string, body: unknown, opts: { key?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers };
  return fetch(base + path, { method: "POST", headers, body: JSON.stringify(body) });
}

/** Polls `check` every `everyMs` until it returns a truthy value or `timeoutMs` passes; returns its last result. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 2000, everyMs = 10): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last = await check();
  while (!last && performance.now() < deadline) {
    await Bun.sleep(everyMs);
    last = await check();
  }
  return last;
}

/** Reads a streamed answer until `until` is in it (or it ends), then hangs up as a client that leaves would; returns what it read. */
export async function readUntil(res: Response, until: string): Promise<string> {
  const reader = res.body!.getReader();
  let text = "";
  const dec = new TextDecoder();
  while (!text.includes(until)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

/** A chat request with a system message, an image, one tool call and its result (the fuzzers' starting point). */
export function chatToolLoop(model: string) {
  return {
    model,
    max_tokens: 50,
    messages: [
      { role: "system", content: "be brief" },
      {
        role: "user",
        content: [
          { type: "text", text: "hi" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
      { role: "tool", tool_call_id: "c1", content: "ok" },
    ],
    tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object", properties: {} } } }],
  };
}
