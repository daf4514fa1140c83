// A backend half's stream machine (its API's events → hub chunks) as a pipeline converter: failures become the
// hub's error chunk (the same error a passed-through stream gets), keep-alives are SSE comments, and the machine's
// exact usage, when it knows one, is the stream's.
import { streamFailure, type SseEvent, type StageOutput, type TokenUsage } from "../../../core";
import { openaiErrorDetail } from "../../../protocols/openai";
import type { StreamConverter } from "../event-stream";

/** What a machine that writes hub chunks offers. */
export interface HubMachine {
  push(e: SseEvent): StageOutput;
  end(): StageOutput;
  error(detail: { message: string; type: string; code: string | null }): StageOutput;
  readonly done: boolean;
  readonly usage?: TokenUsage;
}

/** The converter running `machine`. */
export function hubConverter(machine: HubMachine): StreamConverter {
  return {
    push: (e) => machine.push(e),
    end: () => machine.end(),
    fail: (err) => machine.error(openaiErrorDetail(streamFailure(err))),
    ping: () => (machine.done ? "" : ": ping\n\n"),
    get done() {
      return machine.done;
    },
    get usage() {
      return machine.usage; // the upstream's own, also when the client did not ask to see it
    },
  };
}
