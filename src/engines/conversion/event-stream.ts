// An SSE converter as a pipeline stage: upstream events in (decoded once, by the pipeline), converted event text
// out, one write for all the events a read brings; keep-alive pings when the upstream is quiet.
import { joinOutputs, type EventStage, type SseEvent, type StageOutput, type TokenUsage } from "../../core";

/** A stream converter: output for each upstream event, at the end, on failure (text it wrote, or events carrying their values), and a ping. */
export interface StreamConverter {
  push(e: SseEvent): StageOutput;
  end(): StageOutput;
  fail(err: unknown): StageOutput;
  ping(): string;
  readonly done: boolean;
  /** The answer's usage, once the converter knows it exactly. */
  readonly usage?: TokenUsage;
}

/** The pipeline stage that runs `conv` over an SSE stream (pings after `pingMs` of silence; 0: none); `name` for debug logs. */
export function converterStage(conv: StreamConverter, pingMs: number, name = "convert"): EventStage {
  return {
    reads: "events",
    writes: "sse",
    name,
    push: (events) => {
      if (events.length === 1) return conv.push(events[0]!); // the usual read: one event
      const outs: StageOutput[] = [];
      for (const e of events) {
        outs.push(conv.push(e));
        if (conv.done) break;
      }
      return joinOutputs(outs);
    },
    end: () => (conv.done ? "" : conv.end()),
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
