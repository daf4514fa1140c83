// An SSE converter as a stream-guard transform: upstream bytes in, converted event text out, one write for
// all the events a read brings; keep-alive pings when the upstream is quiet.
import { SseParser, type SseEvent, type StreamTransform } from "../../core";

/** A stream converter: text out for each upstream event, at the end, on failure, and for a ping. */
export interface StreamConverter {
  push(e: SseEvent): string;
  end(): string;
  fail(err: unknown): string;
  ping(): string;
  readonly done: boolean;
}

/** The guard transform that runs `conv` over an SSE byte stream (pings after `pingMs` of silence; 0: none). */
export function eventTransform(conv: StreamConverter, pingMs: number): StreamTransform {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const feed = (events: SseEvent[]) => {
    let out = "";
    for (const e of events) {
      out += conv.push(e);
      if (conv.done) break;
    }
    return out;
  };
  return {
    chunk: (bytes) => feed(parser.push(decoder.decode(bytes, { stream: true }))),
    end: () => {
      const out = feed([...parser.push(decoder.decode()), ...parser.end()]);
      return conv.done ? out : out + conv.end();
    },
    fail: (err) => conv.fail(err),
    get done() {
      return conv.done;
    },
    heartbeat: () => conv.ping(),
    heartbeatMs: pingMs,
  };
}
