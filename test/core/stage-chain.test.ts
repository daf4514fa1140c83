// Property tests of the decoded-once chain: whatever the byte splits, and whatever mix of event and text stages
// a pipeline holds, the output carries the same events as the source parsed whole; events reach every event stage
// in order, each event once; text the gateway wrote splits back into the very same events.
import { describe, expect, test } from "bun:test";
import { SseParser, StreamPipeline, formatSse, splitSse, type EventStage, type SseEvent, type TextStage } from "../../src/core";
import { rng } from "../helpers/random";

const enc = new TextEncoder();
const parseWhole = (text: string) => {
  const p = new SseParser();
  return [...p.push(text), ...p.end()].map((e) => [e.event, e.data]);
};

/** A random SSE text: events with and without names, multi-line data, comments, CRLF or LF line ends. */
function randomSse(r: () => number): string {
  let out = "";
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    const nl = r() < 0.3 ? "\r\n" : "\n";
    if (r() < 0.2) out += `: keep-alive ${i}${nl}${nl}`;
    if (r() < 0.5) out += `event: e${i}${nl}`;
    const lines = 1 + Math.floor(r() * 3);
    for (let l = 0; l < lines; l++) out += `data: {"i":${i},"l":${l},"t":"é中${"x".repeat(Math.floor(r() * 20))}"}${nl}`;
    out += nl;
  }
  return out;
}

/** The text cut into random byte pieces (multi-byte characters and CRLFs split too). */
function randomPieces(text: string, r: () => number): Uint8Array[] {
  const bytes = enc.encode(text);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(r() * 40);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

const source = (pieces: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });

/** An event stage that records what it reads and hands it on unchanged. */
const recording = (seen: SseEvent[]): EventStage => ({
  reads: "events",
  push: (events) => {
    seen.push(...events);
    return events;
  },
  end: () => "",
  fail: () => ({ out: "", answered: false }),
  done: false,
});
/** A text stage that hands on what it reads. */
const passText = (): TextStage => ({ push: (t) => t, end: () => "", fail: () => ({ out: "", answered: false }), done: false });

describe("the stage chain, decoded once", () => {
  test("any byte split and any mix of event and text stages: the same events, each read once, in order", async () => {
    const r = rng(2026);
    for (let round = 0; round < 150; round++) {
      const text = randomSse(r);
      const want = parseWhole(text);
      const first: SseEvent[] = [];
      const last: SseEvent[] = [];
      let p = StreamPipeline.of(source(randomPieces(text, r))).through(recording(first));
      if (r() < 0.5) p = p.through(passText()); // a text stage between: events written back, then parsed again
      p = p.through(recording(last));
      const made = SseParser.made;
      const out = await new Response(p.readable()).text();
      expect(SseParser.made - made).toBe(p.parts.stages.length === 2 ? 1 : 2); // a second only behind a text stage
      expect(first.map((e) => [e.event, e.data])).toEqual(want);
      expect(last.map((e) => [e.event, e.data])).toEqual(want);
      expect(parseWhole(out)).toEqual(want);
    }
  });

  test("text the gateway wrote splits into the events the parser would find, keeping each event's text", () => {
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      const events = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => ({
        event: r() < 0.5 ? `t${i}` : undefined,
        data: JSON.stringify({ i, s: "a\\nb é".repeat(Math.floor(r() * 3)) }),
      }));
      const text = events.map((e) => formatSse(e)).join("");
      const split = splitSse(text);
      expect(split.map((e) => [e.event, e.data])).toEqual(parseWhole(text));
      expect(split.map((e) => formatSse(e)).join("")).toBe(text);
    }
  });

  test("Gemini's framing splits too: \\r\\n\\r\\n between data lines, bare line breaks as keep-alives, mixed with \\n\\n", () => {
    const r = rng(11);
    for (let round = 0; round < 200; round++) {
      const parts = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => {
        const data = JSON.stringify({ i, t: "x\r\ny".repeat(Math.floor(r() * 3)) });
        const pick = r();
        return pick < 0.45 ? `data: ${data}\r\n\r\n` : pick < 0.9 ? `data: ${data}\n\n` : "\r\n";
      });
      const text = parts.join("");
      const split = splitSse(text);
      expect(split.map((e) => e.raw).join("")).toBe(text);
      expect(split.filter((e) => e.data).map((e) => JSON.parse(e.data).i)).toEqual(
        parts.flatMap((p) => (p.startsWith("data: ") ? [JSON.parse(p.slice(6)).i] : [])),
      );
    }
  });

  test("a failure answered by an event stage in text it wrote reaches the next event stage as events", async () => {
    let pulls = 0;
    const failing = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (pulls++ === 0) c.enqueue(enc.encode('data: {"n":1}\n\ndata: {"n"'));
          else c.error(new Error("cut"));
        },
      },
      { highWaterMark: 0 },
    );
    const answering: EventStage = {
      reads: "events",
      writes: "sse",
      push: (events) => events.map((e) => `event: got\ndata: ${e.data}\n\n`).join(""),
      end: () => "",
      fail: (err) => ({ out: `event: error\ndata: {"message":"${(err as Error).message}"}\n\n`, answered: true }),
      done: false,
    };
    const seen: SseEvent[] = [];
    const out = await new Response(StreamPipeline.of(failing).through(answering).through(recording(seen)).readable()).text();
    expect(seen.map((e) => [e.event, e.data])).toEqual([
      ["got", '{"n":1}'],
      ["error", '{"message":"cut"}'],
    ]);
    expect(out).toBe('event: got\ndata: {"n":1}\n\nevent: error\ndata: {"message":"cut"}\n\n');
  });
});
