// A streamed answer as one explicit pipeline: the upstream bytes (the source), an ordered list of stages
// that change what passes (a protocol converter, an output moderation window, a rewrite of chunks), and
// observers told once how the stream ended (bytes, usage, time to first byte, error, client hang-up).
// Engines build it up: each derives a new pipeline from the one it got (nothing is changed in place),
// and whoever sends the answer runs it once. The bytes then cross JavaScript once, through every stage.
import { runPipeline } from "./stream-run";
import type { SseEvent } from "./sse";
import type { TokenUsage } from "./types";

/** How a stream ended, told to every observer. */
export interface StreamOutcome {
  /** Bytes handed on to the reader. */
  bytes: number;
  /** Set when the source failed or went idle. */
  error?: unknown;
  /** True when the reader (the client) cancelled. */
  cancelled: boolean;
  /** Token usage: what a stage knew exactly, else what the usage meter found in the output. */
  usage?: TokenUsage;
  /** True when the stream ended early and `usage` is partly estimated (the output generated until then). */
  usageEstimated?: boolean;
  /** True when the stream carried reasoning (thinking blocks, reasoning deltas or items): it may have reasoned out of sight too. */
  reasoningSeen?: boolean;
  /** The id of a Responses answer (from its first event), when the stream is one. */
  responseId?: string;
  /** performance.now() when the first byte went out (undefined: none did). */
  firstByteAt?: number;
}

/** What a stage hands on: wire text, or events (the next stage that reads events takes them as they are). */
export type StageOutput = string | readonly SseEvent[];

/** How a stage ends a failed source: its output, and whether that output answers the failure in the client's protocol. */
export interface StageFailure {
  out: StageOutput;
  /** True: the stream ends cleanly with `out`; false: the failure goes on to the next stage (or the error tail). */
  answered: boolean;
}

/** What every stage has besides the way it takes its input. */
interface StageParts {
  /** Output when the input ends. */
  end(): StageOutput | Promise<StageOutput>;
  /** Output when the source fails. */
  fail(error: unknown): StageFailure | Promise<StageFailure>;
  /** True once this stage's output is complete; the stages after it are ended. */
  readonly done: boolean;
  /** When done: cancel the source instead of reading its rest so that the connection can be reused. */
  readonly cancelSource?: boolean;
  /** Usage this stage knows exactly (a converter that built the answer). */
  readonly usage?: TokenUsage;
  /** Keep-alive output when nothing went out for `heartbeatMs` (honoured on the first stage; it goes straight to the reader). */
  heartbeat?(): string;
  heartbeatMs?: number;
  /** How long the stage may keep held input waiting for more (0: it holds nothing now); then `flush` is called. */
  holdingMs?(): number;
  /** Output of what the stage holds, when it waited `holdingMs` for more input in vain. */
  flush?(): Promise<StageOutput>;
  /** "sse": the text this stage writes is whole events of the gateway's own making (split without a parser). */
  readonly writes?: "sse";
  /** A short name for debug logs (pipeline.describe()). */
  readonly name?: string;
}

/** A stage that reads the wire text (the decoded source, or an earlier stage's output as text). */
export interface TextStage extends StageParts {
  readonly reads?: "text";
  /** Output for a piece of input ("" for none). A promise holds the source unread until it settles. */
  push(text: string): StageOutput | Promise<StageOutput>;
}

/** A stage that reads events: the source is decoded once, and the events pass from one such stage to the next as they are. */
export interface EventStage extends StageParts {
  readonly reads: "events";
  /** Output for some events (none: "" or []). A promise holds the source unread until it settles. */
  push(events: readonly SseEvent[]): StageOutput | Promise<StageOutput>;
}

/** One step of the pipeline: text or events in, text or events out. */
export type StreamStage = TextStage | EventStage;

/** Finds token usage in the output bytes as they pass. */
export interface UsageMeter {
  feed(bytes: Uint8Array): void;
  readonly usage: TokenUsage | undefined;
  /** The usage of a stream that ended early: `found` (what was reported), completed by estimates. */
  cutShort?(found: TokenUsage | undefined): TokenUsage | undefined;
  /** True once the answer's end went by (a finish or stop reason, a Responses item done): its usage may follow. */
  readonly answerEnded?: boolean;
  /** True when the output carried reasoning. */
  readonly reasoningSeen?: boolean;
  /** The id a Responses stream's first event gave its response. */
  readonly responseId?: string;
}

/** Bytes to send before closing when no stage answered a failure; `atBoundary` says whether the output so far ended with a blank line. */
export type ErrorTail = (error: unknown, atBoundary: boolean) => Uint8Array | undefined;

/** A pipeline being read: its readable side, and a read-ahead for answers that are already complete. */
export interface RunningStream {
  readable: ReadableStream<Uint8Array>;
  /**
   * Waits for the first output, then keeps reading while more is ready at once. When the output ends that way
   * (within `maxBytes`) it returns all of it and the stream counts as ended; else undefined, and `readable`
   * still yields every byte.
   */
  takeIfComplete(maxBytes?: number): Promise<Uint8Array | undefined>;
}

/** What a pipeline holds besides its source. */
export interface PipelineParts {
  readonly stages: readonly StreamStage[];
  readonly observers: readonly ((outcome: StreamOutcome) => void)[];
  /** Fail the stream when the source sends nothing for this long (0: never). */
  readonly idleMs: number;
  readonly errorTail?: ErrorTail;
  readonly meter?: UsageMeter;
}

/** A streamed answer not yet read. Every method returns a new pipeline; `run` reads it, once. */
export class StreamPipeline {
  private constructor(
    private readonly source: ReadableStream<Uint8Array>,
    /** The stages, observers and settings (read by the runner). */
    readonly parts: PipelineParts,
  ) {}

  /** A pipeline of `source` with no stages; `meter` finds usage in its output. */
  static of(source: ReadableStream<Uint8Array>, meter?: UsageMeter): StreamPipeline {
    return new StreamPipeline(source, { stages: [], observers: [], idleMs: 0, meter });
  }

  /** With `stage` after the existing ones. */
  through(stage: StreamStage): StreamPipeline {
    return this.with({ stages: [...this.parts.stages, stage] });
  }

  /** With an observer told how the stream ended (once, however it ended). */
  onEnd(observer: (outcome: StreamOutcome) => void): StreamPipeline {
    return this.with({ observers: [...this.parts.observers, observer] });
  }

  /** With an idle timeout (the tightest one set wins; 0 or undefined changes nothing). */
  idleTimeout(ms: number | undefined): StreamPipeline {
    if (!ms || ms <= 0 || (this.parts.idleMs > 0 && this.parts.idleMs <= ms)) return this;
    return this.with({ idleMs: ms });
  }

  /** With the bytes that end the stream when its source fails and no stage answered the failure. */
  withErrorTail(tail: ErrorTail | undefined): StreamPipeline {
    return this.with({ errorTail: tail });
  }

  /** True once the pipeline was run or cancelled. */
  get started(): boolean {
    return this.source.locked;
  }

  /** Starts reading: throws when this pipeline (or one derived from the same source) already ran. */
  run(): RunningStream {
    if (this.source.locked) throw new Error("a stream pipeline runs once");
    return runPipeline(this.source, this.parts);
  }

  /** Runs the pipeline and returns its readable side. */
  readable(): ReadableStream<Uint8Array> {
    return this.run().readable;
  }

  /** The stages in order, for debug logs: "source → rewrite → convert → moderate", "(bytes as they come)" without stages. */
  describe(): string {
    const stages = this.parts.stages;
    if (stages.length === 0) return "source → client (bytes as they come)";
    return ["source", ...stages.map((s, i) => `${s.name ?? `stage ${i + 1}`} (${s.reads ?? "text"})`), "client"].join(" → ");
  }

  /** Lets go of an answer that will not be read: cancels the source and tells the observers. */
  async cancel(reason?: unknown): Promise<void> {
    if (this.source.locked) return;
    for (const fn of this.parts.observers) fn({ bytes: 0, cancelled: true });
    await this.source.cancel(reason);
  }

  private with(change: Partial<PipelineParts>): StreamPipeline {
    return new StreamPipeline(this.source, { ...this.parts, ...change });
  }
}
