import { describe, expect, test } from "bun:test";
import { SseParser, formatSse, type SseEvent } from "../../src/core";
import { rng } from "../helpers/random";

const parseAll = (pieces: string[]) => {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const piece of pieces) out.push(...p.push(piece));
  out.push(...p.end());
  return out.map((e) => ({ event: e.event, data: e.data, id: e.id }));
};

const SAMPLE =
  'event: message_start\r\ndata: {"a":1}\r\n\r\n' +
  ": a comment line\n\n" +
  "data: line one\ndata: line two\n\n" +
  "event: ping\rdata: {}\r\r" +
  "id: 7\ndata:no-space\n\n" +
  "data: [DONE]\n\n";

describe("SseParser", () => {
  test("LF, CRLF and CR line ends, multi-line data, comments, ids", () => {
    expect(parseAll([SAMPLE])).toEqual([
      { event: "message_start", data: '{"a":1}', id: undefined },
      { event: undefined, data: "line one\nline two", id: undefined },
      { event: "ping", data: "{}", id: undefined },
      { event: undefined, data: "no-space", id: "7" },
      { event: undefined, data: "[DONE]", id: "7" },
    ]);
  });

  test("property: every split of the bytes gives the same events", () => {
    const whole = parseAll([SAMPLE]);
    const r = rng(42);
    for (let round = 0; round < 500; round++) {
      const pieces: string[] = [];
      let i = 0;
      while (i < SAMPLE.length) {
        const n = 1 + Math.floor(r() * 12);
        pieces.push(SAMPLE.slice(i, i + n));
        i += n;
      }
      expect(parseAll(pieces)).toEqual(whole);
    }
    // and one character at a time, which splits every CRLF
    expect(parseAll([...SAMPLE])).toEqual(whole);
  });

  test("property: the fast paths (whole events in one piece) give what the line-by-line path gives", () => {
    const r = rng(11);
    const withRetry = (pieces: string[]) => {
      const p = new SseParser();
      const out: SseEvent[] = [];
      for (const piece of pieces) out.push(...p.push(piece));
      out.push(...p.end());
      return out.map((e) => ({ event: e.event, data: e.data, id: e.id, retry: e.retry }));
    };
    for (let round = 0; round < 400; round++) {
      let text = "";
      for (let i = 0, n = 1 + Math.floor(r() * 10); i < n; i++) {
        const x = r();
        if (x < 0.1) text += `: note ${i}\n`;
        if (x > 0.9) text += `id: ${i}\n`;
        if (r() < 0.15) text += `retry: ${i * 100}\n`;
        if (r() < 0.5) text += r() < 0.2 ? `event:${i}\n` : `event: e:${i}\n`;
        const lines = r() < 0.8 ? 1 : 2;
        for (let l = 0; l < lines; l++) text += r() < 0.1 ? `data:${i}\n` : `data: {"i":${i},"l":${l}}\n`;
        text += "\n";
      }
      expect(withRetry([text])).toEqual(withRetry([...text])); // whole (fast paths) against one character at a time (never fast)
    }
  });

  test("a last event without a blank line is still delivered; a BOM is skipped", () => {
    expect(parseAll(["\ufeffdata: a\n\ndata: tail"])).toEqual([
      { event: undefined, data: "a", id: undefined },
      { event: undefined, data: "tail", id: undefined },
    ]);
  });

  test("empty data lines and fields without a colon", () => {
    expect(parseAll(["data\ndata:\ndata: x\n\n"])).toEqual([{ event: undefined, data: "\n\nx", id: undefined }]);
  });
});

describe("SSE writer", () => {
  test("multi-line data becomes several data lines and parses back", () => {
    const text = formatSse({ event: "e", data: "a\nb\r\nc" });
    expect(text).toBe("event: e\ndata: a\ndata: b\ndata: c\n\n");
    expect(parseAll([text])).toEqual([{ event: "e", data: "a\nb\nc", id: undefined }]);
  });

  test("the parser and the writer round-trip across UTF-8 split points (a streaming TextDecoder in front, as the pipeline runs it)", () => {
    const bytes = new TextEncoder().encode('data: {"t":"é中🙂"}\n\nevent: x\ndata: 2\n\n');
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const events: SseEvent[] = [];
    for (const b of bytes) events.push(...parser.push(decoder.decode(new Uint8Array([b]), { stream: true }))); // split inside every multi-byte character
    events.push(...parser.push(decoder.decode()), ...parser.end());
    expect(events.map((e) => e.json())).toEqual([{ t: "é中🙂" }, 2]);
    expect(events.map((e) => formatSse(e)).join("")).toBe('data: {"t":"é中🙂"}\n\nevent: x\ndata: 2\n\n');
  });
});
