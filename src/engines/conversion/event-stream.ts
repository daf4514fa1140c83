// An SSE converter as a pipeline stage: upstream text in, converted event text out, one write for all the
// events a read brings; keep-alive pings when the upstream is quiet.
import { SseParser, type SseEvent, type StreamStage, type TokenUsage } from "../../core";

/** A stream converter: text out for each upstream event, at the end, on failure, and for a ping. */
export interface StreamConverter {
  push(e: SseEvent): string;
  end(): string;
  fail(err: unknown): string;
  ping(): string;
  readonly done: boolean;
  /** The answer's usage, once the converter knows it exactly. */
  readonly usage?: TokenUsage;
}

/** The pipeline stage that runs `conv` over an SSE stream (pings after `pingMs` of silence; 0: none). */
export function converterStage(conv: StreamConverter, pingMs: number): StreamStage {
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
    push: (text) => feed(parser.push(text)),
    end: () => {
      const out = feed(parser.end());
      return conv.done ? out : out + conv.end();
    },
    fail: (err) => ({ out: conv.fail(err), answered: true }),
    get done() {
      return conv.done;
    },
    get usage() {
      return conv.usage;
    },
    heartbeat: () => conv.ping(),
    heartbeatMs: pingMs,
  };
}
