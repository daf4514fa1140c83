// Runs a stream pipeline: reads the source, passes what it reads through the stages in order, counts what
// goes out, enforces the idle timeout (its clock runs only while the source is awaited, not while the client
// is slow), sends keep-alive bytes, and tells the observers once how the stream ended.
import { concatBytes } from "./bytes";
import { StreamIdleTimeout } from "./errors";
import { StageChain } from "./stream-stages";
import type { PipelineParts, RunningStream, StreamOutcome, StreamStage } from "./stream-pipeline";
import type { TokenUsage } from "./types";

import { atBoundary, drainSource, type ReadResult, type SourceReader } from "./stream-source";
type Controller = ReadableStreamDefaultController<Uint8Array>;
const encoder = new TextEncoder();
/** The most of a source read for its usage after the reader left once the answer had ended. */
const READ_ON_BYTES = 262_144;
const READ_ON_MS = 2000;

/** Starts reading a pipeline (see StreamPipeline.run). */
export function runPipeline(source: ReadableStream<Uint8Array>, parts: PipelineParts): RunningStream {
  const run = new PipelineRun(source.getReader(), parts);
  const readable = new ReadableStream<Uint8Array>({ pull: (ctrl) => run.pull(ctrl), cancel: (reason) => run.cancel(reason) }, { highWaterMark: 0 });
  return { readable, takeIfComplete: (maxBytes = 65_536) => (readable.locked ? Promise.resolve(undefined) : run.takeIfComplete(maxBytes)) };
}

class PipelineRun {
  private readonly chain: StageChain;
  private readonly decoder: TextDecoder | undefined; // only when stages need text
  private readonly ahead: Uint8Array[] = []; // output read ahead and not yet handed on
  private pending: Promise<ReadResult> | undefined; // a read started earlier and not yet consumed
  private bytes = 0;
  private last = 0;
  private beforeLast = 0;
  private firstByteAt: number | undefined;
  private lastOut = performance.now();
  private complete = false; // the output is complete
  private cutBy = false; // a stage ended the output before the source did
  private rest: "cancel" | "drain" | undefined; // what to do with the source once a stage completed the output
  private ended = false;
  private gone = false; // the reader left; the source is read on for the usage only
  private reading = false;
  private idleError: StreamIdleTimeout | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly reader: SourceReader,
    private readonly parts: PipelineParts,
  ) {
    this.chain = new StageChain(parts.stages, (stage) => this.completedBy(stage));
    this.decoder = parts.stages.length > 0 ? new TextDecoder() : undefined;
  }

  /** Hands on the next output; ends the stream on completion, failure or an unanswered error. */
  async pull(ctrl: Controller): Promise<void> {
    if (this.ahead.length > 0) return ctrl.enqueue(this.ahead.shift()!);
    this.startHeartbeat(ctrl);
    for (;;) {
      let out: Uint8Array | undefined;
      let error: unknown;
      let answered = true;
      try {
        const r = await this.readOrHold();
        const next = r ? this.consume(r) : this.flushHeld();
        out = next instanceof Promise ? await next : next;
      } catch (err) {
        error = err;
        ({ out, answered } = await this.failure(err));
      }
      if (this.gone) {
        if (out?.byteLength) this.parts.meter?.feed(out); // a read that was under way when the reader left: the read-on goes on
        return;
      }
      if (out?.byteLength) {
        this.count(out);
        ctrl.enqueue(out);
      }
      if (error !== undefined && !answered) {
        ctrl.error(error);
        return this.end({ error, cancelled: false });
      }
      if (this.complete) {
        ctrl.close();
        this.finishSource();
        return this.end(error !== undefined ? { error, cancelled: false } : { cancelled: false });
      }
      if (out?.byteLength) return;
    }
  }

  /** The reader went away; once the answer had ended, its usage may still follow: the source is read on for it (bounded). */
  cancel(reason: unknown): Promise<void> {
    if (!this.complete && !this.ended && this.parts.meter?.answerEnded) {
      this.gone = true;
      void this.readOnForUsage(reason);
      return Promise.resolve();
    }
    this.end({ cancelled: true });
    return this.reader.cancel(reason);
  }

  private async readOnForUsage(reason: unknown): Promise<void> {
    const stop = setTimeout(() => this.reader.cancel(reason).catch(() => {}), READ_ON_MS);
    let n = 0;
    try {
      while (!this.complete && n <= READ_ON_BYTES) {
        const converted = this.consume(await this.read());
        const out = converted instanceof Promise ? await converted : converted;
        if (out?.byteLength) {
          n += out.byteLength;
          this.parts.meter!.feed(out); // seen by the meter, sent to nobody
        }
      }
    } catch {} // the source failed or was cut at the bound: what was seen counts
    clearTimeout(stop);
    const told = this.complete && this.usage() !== undefined;
    if (!this.complete) this.reader.cancel(reason).catch(() => {});
    this.end({ cancelled: true }, told);
  }

  /** See RunningStream.takeIfComplete. */
  async takeIfComplete(maxBytes: number): Promise<Uint8Array | undefined> {
    if (this.ended) return undefined;
    let total = 0;
    try {
      let r = await this.read();
      for (;;) {
        const converted = this.consume(r);
        const out = converted instanceof Promise ? await converted : converted;
        if (out?.byteLength) {
          this.count(out);
          this.ahead.push(out);
          total += out.byteLength;
        }
        if (this.complete) {
          this.finishSource();
          this.end({ cancelled: false });
          return concatBytes(this.ahead.splice(0), total);
        }
        if (total > maxBytes) return undefined;
        const next = this.read();
        await null; // one microtask: data the source already holds has settled the read by now
        if (Bun.peek.status(next) === "pending") {
          this.pending = next;
          return undefined;
        }
        r = await next;
      }
    } catch (err) {
      this.pending = Promise.reject(err); // the stream's first pull reports it, with the error tail
      this.pending.catch(() => {});
      return undefined;
    }
  }

  /**
   * Output for one read result; marks the output complete at the end of the source or when a stage completes it.
   * Synchronous while every stage is (no promise per chunk on the common path).
   */
  private consume(r: ReadResult): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    if (!this.decoder) {
      if (r.done) this.complete = true;
      return r.value;
    }
    if (r.done) {
      this.complete = true;
      return this.chain.end(this.decoder.decode()).then((t) => this.encode(t));
    }
    const out = this.chain.push(this.decoder.decode(r.value!, { stream: true }));
    return typeof out === "string" ? this.encode(out) : out.then((t) => this.encode(t));
  }

  /** The output of the stage that held input too long, passed through the stages after it. */
  private async flushHeld(): Promise<Uint8Array | undefined> {
    return this.encode(await this.chain.flushHeld());
  }

  /** Called by the chain when a stage completed the output. */
  private completedBy(stage: StreamStage): void {
    this.complete = true;
    this.rest = stage.cancelSource ? "cancel" : "drain";
    this.cutBy ||= stage.cancelSource === true; // the stage closed the answer early (moderation): its usage never came
  }

  /** The source failed (or a stage threw): each stage answers the failure or passes it on; else the error tail does. */
  private async failure(err: unknown): Promise<{ out: Uint8Array | undefined; answered: boolean }> {
    this.reader.cancel(err).catch(() => {});
    this.complete = true;
    const { text, answered } = await this.chain.fail(err);
    const body = this.encode(text);
    if (answered) return { out: body, answered };
    const tail = this.parts.errorTail?.(err, atBoundary(this.bytes, this.last, this.beforeLast, body));
    if (!tail?.byteLength) return { out: body, answered: false };
    return { out: body ? concatBytes([body, tail], body.byteLength + tail.byteLength) : tail, answered: true };
  }

  /** The next read of the source, under the idle timeout. */
  private read(): Promise<ReadResult> {
    const idleMs = this.parts.idleMs;
    if (idleMs > 0) this.timer = this.timer ? this.timer.refresh() : setTimeout(() => this.onIdle(), idleMs);
    this.reading = true;
    const r = this.pending ?? this.reader.read();
    this.pending = undefined;
    return r.then(
      (x) => {
        this.reading = false;
        if (this.idleError) throw this.idleError;
        return x;
      },
      (err) => {
        this.reading = false;
        throw this.idleError ?? err;
      },
    );
  }

  private onIdle(): void {
    if (!this.reading) return;
    this.idleError = new StreamIdleTimeout(this.parts.idleMs);
    this.reader.cancel(this.idleError).catch(() => {});
  }

  /** The next read, or undefined when a stage holds input and nothing came within the time it may hold it. */
  private readOrHold(): Promise<ReadResult | undefined> {
    const holdMs = this.chain.holdingMs();
    const read = this.read();
    return holdMs === 0 ? read : this.raceHold(read, holdMs);
  }

  private async raceHold(read: Promise<ReadResult>, holdMs: number): Promise<ReadResult | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, holdMs, undefined)));
    const first = await Promise.race([read, expired]);
    clearTimeout(timer);
    if (first === undefined) this.pending = read;
    return first;
  }

  /** After the output completed: the rest of the source is cancelled, or read and dropped (bounded) so its connection can be reused. */
  private finishSource(): void {
    const rest = this.rest;
    this.rest = undefined;
    if (rest === "cancel") this.reader.cancel().catch(() => {});
    else if (rest === "drain") {
      const first = this.pending;
      this.pending = undefined;
      void drainSource(this.reader, first);
    }
  }

  private startHeartbeat(ctrl: Controller): void {
    const first = this.parts.stages[0];
    const ms = first?.heartbeat && first.heartbeatMs ? first.heartbeatMs : 0;
    if (ms <= 0 || this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        if (this.complete || performance.now() - this.lastOut < ms) return;
        const beat = this.encode(first!.heartbeat!());
        if (!beat) return;
        this.count(beat);
        ctrl.enqueue(beat);
      },
      Math.max(50, Math.min(1000, ms / 2)),
    );
  }

  private count(chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (n === 0) return;
    this.bytes += n;
    this.beforeLast = n > 1 ? chunk[n - 2]! : this.last;
    this.last = chunk[n - 1]!;
    this.lastOut = performance.now();
    this.firstByteAt ??= this.lastOut;
    this.parts.meter?.feed(chunk);
  }

  private encode(text: string): Uint8Array | undefined {
    return text ? encoder.encode(text) : undefined;
  }

  private usage(): TokenUsage | undefined {
    return this.chain.usage() ?? this.parts.meter?.usage;
  }

  /** Tells the observers how the stream ended; `told`: its usage came whole although the reader left (read on for it). */
  private end(outcome: Pick<StreamOutcome, "error" | "cancelled">, told = false): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    let usage = this.usage();
    // cut short, or ended without telling its usage (a chat stream not asked for it): completed by estimates
    const early = !told && (outcome.cancelled || outcome.error !== undefined || this.cutBy || !usage) && this.parts.meter?.cutShort;
    if (early) usage = this.parts.meter!.cutShort!(usage);
    const result: StreamOutcome = { bytes: this.bytes, ...outcome, usage, firstByteAt: this.firstByteAt, ...(early && usage ? { usageEstimated: true } : {}) };
    if (early && this.parts.meter?.reasoningSeen) result.reasoningSeen = true; // looked for only when it matters
    const responseId = this.parts.meter?.responseId;
    if (responseId) result.responseId = responseId;
    for (const fn of this.parts.observers) fn(result);
  }
}
