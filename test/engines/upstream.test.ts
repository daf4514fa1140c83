import { afterAll, describe, expect, test } from "bun:test";
import { ConnectProbe, HttpUpstreamEngine, clientResponseHeaders, upstreamRequestHeaders } from "../../src/engines";
import { guardStream, takeIfComplete, type LLMRequest } from "../../src/core";
import { startMockUpstream } from "../helpers/mock-upstream";
import { llmRequest } from "../helpers/requests";

const up = startMockUpstream();
afterAll(() => up.stop());

const request = (format: LLMRequest["format"], headers: Record<string, string> = {}): LLMRequest => llmRequest({ format, headers, body: { model: "m", messages: [] } });

describe("header hygiene", () => {
  test("client credentials and hop-by-hop headers are dropped going up", () => {
    const h = upstreamRequestHeaders(new Headers({
      authorization: "Bearer c", "x-api-key": "c", cookie: "s=1", connection: "keep-alive", "transfer-encoding": "chunked",
      host: "gw", "content-length": "5", "anthropic-beta": "b1", "x-custom": "y", "proxy-authorization": "p",
    }));
    expect(Object.fromEntries(h)).toEqual({ "anthropic-beta": "b1", "x-custom": "y" });
  });
  test("cookies and hop-by-hop headers are dropped coming back", () => {
    const h = clientResponseHeaders(new Headers({ "set-cookie": "a=1", connection: "close", "content-type": "application/json", "x-request-id": "u1" }));
    expect(Object.fromEntries(h)).toEqual({ "content-type": "application/json", "x-request-id": "u1" });
  });
});

describe("HttpUpstreamEngine", () => {
  test("paths per format and auth per format", async () => {
    const e = new HttpUpstreamEngine({ baseUrl: up.url + "/", paths: { "openai.chat": "/custom/chat" }, apiKey: "K", extraHeaders: { "x-extra": "1", "anthropic-version": "2099-01-01" } });
    await e.process(request("openai.chat", { authorization: "Bearer client" }));
    let seen = up.seen.at(-1)!;
    expect(seen.path).toBe("/custom/chat");
    expect(seen.headers.authorization).toBe("Bearer K");
    expect(seen.headers["x-extra"]).toBe("1");
    await e.process(request("anthropic.messages", { "anthropic-version": "2023-06-01" }));
    seen = up.seen.at(-1)!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("K");
    expect(seen.headers["anthropic-version"]).toBe("2099-01-01"); // extra_headers win
  });
  test("anthropic_api_key_as_bearer; no key configured sends no auth at all", async () => {
    await new HttpUpstreamEngine({ baseUrl: up.url, apiKey: "K", anthropicApiKeyAsBearer: true }).process(request("anthropic.messages"));
    expect(up.seen.at(-1)!.headers.authorization).toBe("Bearer K");
    expect(up.seen.at(-1)!.headers["x-api-key"]).toBeUndefined();
    await new HttpUpstreamEngine({ baseUrl: up.url }).process(request("openai.chat", { "x-api-key": "client" }));
    expect(up.seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(up.seen.at(-1)!.headers["x-api-key"]).toBeUndefined();
  });
  test("http_proxy sends the request through the proxy", async () => {
    const proxied: string[] = [];
    const proxy = Bun.serve({ hostname: "127.0.0.1", port: 0, async fetch(req) {
      proxied.push(req.url);
      return fetch(req.url, { method: req.method, headers: req.headers, body: await req.arrayBuffer() });
    } });
    try {
      const e = new HttpUpstreamEngine({ baseUrl: up.url, httpProxy: `http://127.0.0.1:${proxy.port}` });
      const res = await e.process(request("openai.chat"));
      expect(res.status).toBe(200);
      expect(proxied).toEqual([`${up.url}/v1/chat/completions`]);
    } finally {
      proxy.stop(true);
    }
  });
});

describe("ConnectProbe", () => {
  test("an open port passes, a closed one fails fast, and a fresh origin is not probed", async () => {
    await new ConnectProbe("127.0.0.1", up.server.port!, 1000).check();
    const probe = new ConnectProbe("127.0.0.1", 1, 1000); // nothing listens on port 1
    await expect(probe.check()).rejects.toThrow(/connect to 127.0.0.1/);
    probe.markOk();
    await probe.check(); // fresh: skipped even though nothing listens
  });
});

describe("guardStream", () => {
  const source = (chunks: string[], hang = false) => new ReadableStream<Uint8Array>({
    start(c) { for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch)); if (!hang) c.close(); },
  });
  test("counts bytes and reports the end once", async () => {
    const ends: any[] = [];
    const text = await new Response(guardStream(source(["ab", "cde"]), { onEnd: (o) => ends.push(o) })).text();
    expect(text).toBe("abcde");
    expect(ends).toEqual([{ bytes: 5, cancelled: false }]);
  });
  test("idle timeout closes with the error tail at an event boundary", async () => {
    const ends: any[] = [];
    const s = guardStream(source(["data: 1\n\n", "data: par"], true), {
      idleTimeoutMs: 50,
      onEnd: (o) => ends.push(o),
      errorTail: (err, atBoundary) => new TextEncoder().encode(`${atBoundary ? "" : "\n\n"}data: ${(err as Error).name}\n\n`),
    });
    expect(await new Response(s).text()).toBe("data: 1\n\ndata: par\n\ndata: StreamIdleTimeout\n\n");
    expect(ends[0].error.name).toBe("StreamIdleTimeout");
  });
  test("a consumer cancel is reported as cancelled", async () => {
    const ends: any[] = [];
    const s = guardStream(source(["a"], true), { onEnd: (o) => ends.push(o) });
    const r = s.getReader();
    await r.read();
    await r.cancel();
    expect(ends).toEqual([{ bytes: 1, cancelled: true }]);
  });
});

describe("takeIfComplete", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  const paced = (chunks: string[], delayMs: number) => {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      async pull(c) {
        if (i > 0) await Bun.sleep(delayMs);
        if (i < chunks.length) c.enqueue(enc(chunks[i++]!));
        else c.close();
      },
    }, { highWaterMark: 0 });
  };
  test("a stream whose bytes are all there comes back whole, and counts as ended", async () => {
    const ends: any[] = [];
    const s = guardStream(new ReadableStream({ start(c) { c.enqueue(enc("data: 1\n\n")); c.enqueue(enc("data: 2\n\n")); c.close(); } }), { onEnd: (o) => ends.push(o) });
    const whole = await takeIfComplete(s);
    expect(new TextDecoder().decode(whole)).toBe("data: 1\n\ndata: 2\n\n");
    expect(ends).toEqual([{ bytes: 18, cancelled: false }]);
  });
  test("a paced stream is left streaming, and still yields every byte in order", async () => {
    const s = guardStream(paced(["a", "b", "c"], 30), {});
    expect(await takeIfComplete(s)).toBeUndefined();
    expect(await new Response(s).text()).toBe("abc");
  });
  test("a big ready stream stops reading ahead at maxBytes", async () => {
    const s = guardStream(new ReadableStream({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(enc("x".repeat(100))); c.close(); } }), {});
    expect(await takeIfComplete(s, 250)).toBeUndefined();
    expect((await new Response(s).text()).length).toBe(1000);
  });
  test("a source that fails before its first chunk still ends with the error tail", async () => {
    const s = guardStream(new ReadableStream({ pull(c) { c.error(new Error("boom")); } }), {
      errorTail: (err) => enc(`data: ${(err as Error).message}\n\n`),
    });
    expect(await takeIfComplete(s)).toBeUndefined();
    expect(await new Response(s).text()).toBe("data: boom\n\n");
  });
  test("a stream that is not a guard is left alone", async () => {
    expect(await takeIfComplete(new ReadableStream())).toBeUndefined();
  });
});
