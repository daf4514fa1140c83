// #12.6: one endless SSE line costs linear time and bounded memory; converted and moderated streams end with an error event.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MAX_SSE_EVENT_CHARS, SseEventTooLarge, SseParser } from "../../src/core";
import { startGateway, type TestGateway } from "../helpers/gateway";

describe("SseParser bounds", () => {
  test("a line that never ends is refused at the bound, fed in small pieces", () => {
    const parser = new SseParser();
    const piece = "x".repeat(65536);
    let fed = 0;
    let error: unknown;
    try {
      parser.push("data: ");
      for (; fed < MAX_SSE_EVENT_CHARS * 2; fed += piece.length) parser.push(piece);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SseEventTooLarge);
    expect(fed).toBeLessThanOrEqual(MAX_SSE_EVENT_CHARS);
  });

  test("a long line within the bound, split anywhere, is one event", () => {
    const data = "y".repeat(300_000);
    const wire = `data: ${data}\n\ndata: b\n\n`;
    for (const size of [1000, 4096, 65536, 299_999]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < wire.length; i += size) events.push(...parser.push(wire.slice(i, i + size)));
      events.push(...parser.end());
      expect(events.map((e) => e.data)).toEqual([data, "b"]);
    }
  });

  test("#23.22: the bound counts UTF-8 bytes: a line of 2- and 3-byte characters is refused at 16 MiB, not 16 Mi characters", () => {
    for (const ch of ["é", "中", "😀"]) {
      const parser = new SseParser();
      const piece = ch.repeat(16384);
      const pieceBytes = Buffer.byteLength(piece);
      let bytes = 0;
      let error: unknown;
      try {
        parser.push("data: ");
        for (; bytes < MAX_SSE_EVENT_CHARS * 2; bytes += pieceBytes) parser.push(piece);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SseEventTooLarge);
      expect(bytes).toBeLessThanOrEqual(MAX_SSE_EVENT_CHARS);
    }
    // joined data lines of many-byte text count too
    const parser = new SseParser(1000);
    expect(() => parser.push(`data: ${"中".repeat(200)}\ndata: ${"中".repeat(200)}\n`)).toThrow(SseEventTooLarge);
  });

  test("many data lines of one event count toward the bound", () => {
    const parser = new SseParser(1000);
    expect(() => parser.push("data: aaaaaaaaaa\n".repeat(200))).toThrow(SseEventTooLarge);
  });
});

const giant = (() => {
  const head = `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"`;
  return { head, body: "z".repeat(65536) };
})();
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  fetch() {
    let sent = 0;
    const enc = new TextEncoder();
    const piece = enc.encode(giant.body);
    return new Response(
      new ReadableStream({
        pull(c) {
          if (sent === 0) c.enqueue(enc.encode(giant.head));
          else if (sent < 600)
            c.enqueue(piece); // ~39 MB, no line end
          else c.close();
          sent++;
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  },
});
let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(`
models:
  conv:
    backends: { "default:1": { base_url: "http://127.0.0.1:${upstream.port}", convert_to_messages: from_chat } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
});

test("a converted stream whose upstream never ends a line ends with an error event; the gateway keeps answering", async () => {
  const r = await fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    body: JSON.stringify({ model: "conv", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  const health = await fetch(`${gw.url}/healthz`);
  expect(health.status).toBe(200);
  const text = await r.text();
  expect(text).toContain("event: error");
  expect(text).toContain("larger than the limit");
});
