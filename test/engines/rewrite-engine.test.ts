import { describe, expect, test } from "bun:test";
import { LazyBody, StreamPipeline, engineFn, type LLMRequest, type LLMResponse } from "../../src/core";
import { ApiKeys, RewriteEngine } from "../../src/engines";
import { llmRequest } from "../helpers/requests";

const enc = (s: string) => new TextEncoder().encode(s);
const req = (body: string, headers: Record<string, string> = {}): LLMRequest => llmRequest({ body, headers });

describe("RewriteEngine against a mock next engine", () => {
  test("the next engine sees the rewritten request; accept-encoding is dropped only for response rewrites", async () => {
    let seen: LLMRequest | undefined;
    const next = engineFn(async (r) => {
      seen = r;
      return { status: 200, headers: new Headers(), body: LazyBody.fromBytes(enc(`{"choices":[{"message":{"content":"x"}}]}`)) };
    });
    const onlyRequest = new RewriteEngine(next, { request: { set_keys: { model: "up" } } });
    await onlyRequest.process(req(`{"model":"m"}`, { "accept-encoding": "gzip" }));
    expect(new TextDecoder().decode(seen!.body.bytesOut())).toBe(`{"model":"up"}`);
    expect(seen!.headers.get("accept-encoding")).toBe("gzip");
    const both = new RewriteEngine(next, { response: { set_keys_by_expr: { "choices.0.message.content": "RawReq.model" } } });
    const res = await both.process(req(`{"model":"m"}`, { "accept-encoding": "gzip" }));
    expect(seen!.headers.get("accept-encoding")).toBeNull();
    expect(new TextDecoder().decode(res.body!.bytesOut())).toBe(`{"choices":[{"message":{"content":"m"}}]}`);
  });
  test("error answers and non-JSON bodies are left alone", async () => {
    const answer = (status: number, text: string): LLMResponse => ({ status, headers: new Headers(), body: LazyBody.fromBytes(enc(text)) });
    for (const [status, text] of [
      [500, `{"error":"x"}`],
      [200, "not json"],
    ] as const) {
      const e = new RewriteEngine(
        engineFn(async () => answer(status, text)),
        { response: { set_keys: { a: 1 } } },
      );
      expect(new TextDecoder().decode((await e.process(req("{}"))).body!.bytesOut())).toBe(text);
    }
  });
  test("stream chunks are rewritten one by one, as they arrive", async () => {
    let push!: (s: string) => void, close!: () => void;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(enc(s));
        close = () => c.close();
      },
    });
    const e = new RewriteEngine(
      engineFn(async () => ({ status: 200, headers: new Headers({ "content-type": "text/event-stream" }), stream: StreamPipeline.of(stream) })),
      { streamChunk: { remove_keys: ["x"] } },
    );
    const out = (await e.process(req("{}"))).stream!.readable().getReader();
    push(`data: {"x":1,"y":1}\n\n`);
    expect(new TextDecoder().decode((await out.read()).value)).toBe(`data: {"y":1}\n\n`); // before the stream ended
    push(`data: [DONE]\n\n`);
    close();
    expect(new TextDecoder().decode((await out.read()).value)).toBe(`data: [DONE]\n\n`);
  });
});

describe("ApiKeys", () => {
  const keys = new ApiKeys({ acme: { alice: "key-alice-123" } });
  test("Bearer (any case) or x-api-key; unknown or missing is anonymous", () => {
    expect(keys.identify(new Headers({ authorization: "Bearer key-alice-123" }))).toEqual({ org: "acme", user: "alice" });
    expect(keys.identify(new Headers({ authorization: "bearer  key-alice-123 " }))).toEqual({ org: "acme", user: "alice" });
    expect(keys.identify(new Headers({ "x-api-key": "key-alice-123" }))).toEqual({ org: "acme", user: "alice" });
    expect(keys.identify(new Headers({ "x-api-key": "nope" }))).toBeUndefined();
    expect(keys.identify(new Headers())).toBeUndefined();
  });
});
