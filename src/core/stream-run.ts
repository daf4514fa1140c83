// Runs a stream pipeline: reads the source, passes what it reads through the stages in order, counts what
// goes out, enforces the idle timeout (its clock runs only while the source is awaited, not while the client
// is slow), sends keep-alive bytes, and tells the observers once how the stream ended.
import { concatBytes } from "./bytes";
import { StreamIdleTimeout } from "./errors";
import { StageChain } from "./stream-stages";
import type { PipelineParts, RunningStream, StreamOutcome, StreamStage } from "./stream-pipeline";
import type { TokenUsage } from "./types";

type ReadResult = { done: boolean; value?: Uint8Array };
/** What the runner needs of the source's reader. */
interface SourceReader {
  read(): Promise<ReadResult>;
  cancel(reason?: unknown): Promise<void>;
}
type Controller = ReadableStreamDefaultController<Uint8Array>;
const encoder = new TextEncoder();
/** The most of a source read (and not sent) after the output is complete, so that its connection can be reused. */
const DRAIN_BYTES = 65_536;
const DRAIN_MS = 2000;

/** Starts reading a pipeline (see StreamPipeline.run). */
export function runPipeline(source: ReadableStream<Uint8Array>, parts: PipelineParts): RunningStream {
  const run = new PipelineRun(source.getReader(), parts);
  const readable = new ReadableStream<Uint8Array>({ pull: (ctrl) => run.pull(ctrl), cancel: (reason) => run.cancel(reason) }, { highWaterMark: 0 });
  return { readable, takeIfComplete: (maxBytes = 65_536) => (readable.locked ? Promise.resolve(undefined) : run.takeIfComplete(maxBytes)) };
}

/** True when output that ended with bytes `beforeLast`, `last` and then `chunk` ends with a blank line (or nothing went out). */
function atBoundary(sent: number, last: number, beforeLast: number, chunk: Uint8Array | undefined): boolean {
  const n = chunk?.byteLength ?? 0;
  if (sent === 0 && n === 0) return true;
  if (n >= 2) [beforeLast, last] = [chunk![n - 2]!, chunk![n - 1]!];
  else if (n === 1) [beforeLast, last] = [last, chunk![0]!];
  return (last === 10 && (beforeLast === 10 || beforeLast === 13)) || (last === 13 && beforeLast === 13);
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

  /** The reader went away. */
  cancel(reason: unknown): Promise<void> {
    this.end({ cancelled: true });
    return this.reader.cancel(reason);
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
    else if (rest === "drain") void this.drain();
  }

  private async drain(): Promise<void> {
    const stop = setTimeout(() => this.reader.cancel().catch(() => {}), DRAIN_MS);
    let n = 0;
    try {
      const first = this.pending ?? this.reader.read();
      this.pending = undefined;
      for (let r = await first; !r.done; r = await this.reader.read()) {
        n += r.value?.byteLength ?? 0;
        if (n > DRAIN_BYTES) return void this.reader.cancel().catch(() => {});
      }
    } catch {
      // the source failed after the output was complete: nothing to tell
    } finally {
      clearTimeout(stop);
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

  private end(outcome: Pick<StreamOutcome, "error" | "cancelled">): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    let usage = this.usage();
    // cut short, or ended without telling its usage (a chat stream not asked for it): completed by estimates
    const early = (outcome.cancelled || outcome.error !== undefined || this.cutBy || !usage) && this.parts.meter?.cutShort;
    if (early) usage = this.parts.meter!.cutShort!(usage);
    const told: StreamOutcome = { bytes: this.bytes, ...outcome, usage, firstByteAt: this.firstByteAt, ...(early && usage ? { usageEstimated: true } : {}) };
    for (const fn of this.parts.observers) fn(told);
  }
}
