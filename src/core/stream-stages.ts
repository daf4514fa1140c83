// The stages of a stream pipeline in order: what each stage hands on goes through the next one; a stage that
// completes its output ends the ones after it; a failure is answered by the first stage that can, and what that
// stage says still passes through the stages after it. Synchronous while every stage is, so the common path
// costs no promise per chunk.
//
// Decoded once: a stage that reads events gets them from the one parser of the source (made only when such a
// stage reads the source), or as the events an earlier stage handed on (their JSON parsed at most once, shared),
// or split without a parser from text the gateway wrote itself (a converter's output). Text goes out as it came;
// events are written back to text once, at the end of the chain (an unchanged event as its own text).
import { SseParser, formatSse, type SseEvent } from "./sse";
import { splitSse } from "./sse-split";
import type { StageOutput, StreamStage } from "./stream-pipeline";
import type { TokenUsage } from "./types";

type Out = StageOutput | Promise<StageOutput>;

/** An ordered list of stages, as the pipeline runner drives it: text in (the decoded source), text out. */
export class StageChain {
  /** The parser in front of each stage that reads events from foreign text (the source, or a text stage's output). */
  private readonly parsers: (SseParser | undefined)[] = [];

  constructor(
    private readonly stages: readonly StreamStage[],
    /** Told when a stage completed the output (the stages after it are ended by then). */
    private readonly completed: (stage: StreamStage) => void,
  ) {}

  /** Output for a piece of input. */
  push(text: string): string | Promise<string> {
    const out = this.pushFrom(0, text);
    return isPromise(out) ? out.then(asText) : asText(out);
  }

  /** Output for the last input, every stage ended. */
  async end(text: string): Promise<string> {
    return asText(await this.endFrom(0, text));
  }

  /** The shortest time a stage may still hold input (0: none holds any). */
  holdingMs(): number {
    let holdMs = 0;
    for (const s of this.stages) {
      const ms = s.holdingMs?.() ?? 0;
      if (ms > 0 && (holdMs === 0 || ms < holdMs)) holdMs = ms;
    }
    return holdMs;
  }

  /** The output of the first stage holding input, passed through the stages after it. */
  async flushHeld(): Promise<string> {
    const k = this.stages.findIndex((s) => (s.holdingMs?.() ?? 0) > 0);
    const stage = this.stages[k];
    if (!stage?.flush) return "";
    return asText(await this.pushed(k, await stage.flush()));
  }

  /** The source failed: each stage answers the failure or passes it on; `answered` says whether one did. */
  async fail(err: unknown): Promise<{ text: string; answered: boolean }> {
    let chunk: StageOutput = "";
    let answered = false;
    try {
      for (let k = 0; k < this.stages.length; k++) {
        const stage = this.stages[k]!;
        const pieces: StageOutput[] = [isEmpty(chunk) ? "" : await this.feed(k, chunk, false)];
        if (stage.done) answered = true;
        else if (answered) pieces.push(await stage.end());
        else {
          const f = await stage.fail(err);
          pieces.push(f.out);
          answered = f.answered;
        }
        chunk = joinOutputs(pieces);
      }
    } catch {
      // a stage failed while ending: what it made so far is lost; the error tail still ends the stream
      return { text: "", answered: false };
    }
    return { text: asText(chunk), answered };
  }

  /** The exact usage the last stage that knows it reports. */
  usage(): TokenUsage | undefined {
    for (let k = this.stages.length - 1; k >= 0; k--) {
      const u = this.stages[k]!.usage;
      if (u) return u;
    }
    return undefined;
  }

  /** Stage `k`'s output for `chunk`, handed over in the form the stage reads; `last`: the input ends here. */
  private feed(k: number, chunk: StageOutput, last: boolean): Out {
    const stage = this.stages[k]!;
    if (stage.reads !== "events") return stage.push(asText(chunk));
    if (typeof chunk !== "string") return stage.push(chunk);
    const writer = k > 0 ? this.stages[k - 1] : undefined;
    if (writer?.writes === "sse") return stage.push(splitSse(chunk));
    const parser = (this.parsers[k] ??= new SseParser());
    const events = chunk ? parser.push(chunk) : [];
    if (last) events.push(...parser.end());
    return events.length ? stage.push(events) : ""; // a piece of an event: nothing to read yet
  }

  private pushFrom(k: number, chunk: StageOutput): Out {
    for (; k < this.stages.length && !isEmpty(chunk); k++) {
      const stage = this.stages[k]!;
      const out = this.feed(k, chunk, false);
      if (isPromise(out)) return out.then((t) => this.pushed(k, t));
      if (stage.done) {
        this.completed(stage);
        return this.endFrom(k + 1, out);
      }
      chunk = out;
    }
    return chunk;
  }

  /** Goes on after stage `k` gave `out`. */
  private pushed(k: number, out: StageOutput): Out {
    const stage = this.stages[k]!;
    if (!stage.done) return this.pushFrom(k + 1, out);
    this.completed(stage);
    return this.endFrom(k + 1, out);
  }

  private async endFrom(k: number, chunk: StageOutput): Promise<StageOutput> {
    for (; k < this.stages.length; k++) {
      const stage = this.stages[k]!;
      const fed = this.parsers[k] || !isEmpty(chunk) ? await this.feed(k, chunk, true) : "";
      chunk = stage.done ? fed : joinOutputs([fed, await stage.end()]);
    }
    return chunk;
  }
}

function isPromise(out: Out): out is Promise<StageOutput> {
  return typeof out === "object" && out !== null && "then" in out;
}

function isEmpty(chunk: StageOutput): boolean {
  return chunk.length === 0;
}

/** Output as text: events written back (an unchanged event as its own text). */
function asText(chunk: StageOutput): string {
  if (typeof chunk === "string") return chunk;
  let out = "";
  for (const e of chunk) out += formatSse(e);
  return out;
}

/** Pieces of output as one: text stays text, and any events make the whole events (text the gateway wrote is split). */
export function joinOutputs(pieces: StageOutput[]): StageOutput {
  const parts = pieces.filter((p) => p.length > 0);
  if (parts.length <= 1) return parts[0] ?? "";
  if (parts.every((p) => typeof p === "string")) return (parts as string[]).join("");
  const events: SseEvent[] = [];
  for (const p of parts) events.push(...(typeof p === "string" ? splitSse(p) : p));
  return events;
}
