// Wraps a byte stream to watch it pass: counts bytes, enforces an idle timeout, reports how it ended,
// and on an upstream failure can close with protocol-shaped bytes instead of a cut connection. It can
// also convert what passes (a transform: protocol conversion), with keep-alive bytes when it is quiet.
// Guards compose without stacking: guarding a guarded stream that nobody reads yet adds to the existing
// guard, so the bytes cross JavaScript once however many engines watch or convert them. A guard can read
// ahead (`takeIfComplete`): a stream whose bytes are all there already (a short or unpaced answer, an
// error) is then sent as one body instead of chunk by chunk.
import { concatBytes } from "./bytes";
import { StreamIdleTimeout } from "./errors";

/** How a guarded stream ended. */
export interface StreamOutcome {
  /** Bytes handed on (after the transform, if any). */
  bytes: number;
  /** Set when the source failed or went idle. */
  error?: unknown;
  /** True when the consumer (the client) cancelled. */
  cancelled: boolean;
}

/** Converts the bytes of a stream as they pass (one per guard). */
export interface StreamTransform {
  /** Output for one source chunk ("" for none). */
  chunk(bytes: Uint8Array): string;
  /** Output when the source ends. */
  end(): string;
  /** Output when the source fails (the stream then closes). */
  fail(error: unknown): string;
  /** True once the output is complete: the rest of the source is read (so its connection can be reused) but not sent. */
  readonly done: boolean;
  /** Keep-alive output when nothing was sent for `heartbeatMs`. */
  heartbeat?(): string;
  heartbeatMs?: number;
}

/** Options of guardStream. */
export interface StreamGuardOptions {
  /** Fail the stream when no chunk arrives for this long (0 or undefined: never). */
  idleTimeoutMs?: number;
  /** Called once, when the stream ends in any way. */
  onEnd?: (outcome: StreamOutcome) => void;
  /** Bytes to send before closing when the source fails; `atBoundary` says whether the bytes so far ended with a blank line. */
  errorTail?: (error: unknown, atBoundary: boolean) => Uint8Array | undefined;
  /** Converts the bytes as they pass. */
  transform?: StreamTransform;
  /** Sees every chunk handed on (after the transform), e.g. to find token usage. */
  onChunk?: (bytes: Uint8Array) => void;
}


interface Watchers {
  idleMs: number;
  onEnd: ((o: StreamOutcome) => void)[];
  onChunk: ((bytes: Uint8Array) => void)[];
  errorTail?: StreamGuardOptions["errorTail"];
  transform?: StreamTransform;
  /** Reads ahead while the source has data ready; returns all bytes if it ended, else undefined. */
  takeIfComplete?: (maxBytes: number) => Promise<Uint8Array | undefined>;
}

const guards = new WeakMap<ReadableStream<Uint8Array>, Watchers>();
const encoder = new TextEncoder();
type ReadResult = { done: boolean; value?: Uint8Array };

function addWatchers(w: Watchers, opts: StreamGuardOptions): void {
  const idle = opts.idleTimeoutMs ?? 0;
  if (idle > 0 && (w.idleMs === 0 || idle < w.idleMs)) w.idleMs = idle;
  if (opts.onEnd) w.onEnd.push(opts.onEnd);
  if (opts.onChunk) w.onChunk.push(opts.onChunk);
  if (opts.errorTail) w.errorTail = opts.errorTail;
  if (opts.transform) {
    if (w.transform) throw new Error("a guarded stream takes one transform");
    w.transform = opts.transform;
  }
}

/** Returns a stream with the bytes of `src` (converted by the transform, if any), watched as the options say. */
export function guardStream(src: ReadableStream<Uint8Array>, opts: StreamGuardOptions): ReadableStream<Uint8Array> {
  const existing = guards.get(src);
  if (existing && !src.locked) {
    addWatchers(existing, opts);
    return src;
  }
  const w: Watchers = { idleMs: 0, onEnd: [], onChunk: [] };
  addWatchers(w, opts);
  const out = watch(src, w);
  guards.set(out, w);
  return out;
}

/**
 * For a guarded stream nobody reads yet: waits for its first chunk, then keeps reading while more is
 * ready at once. When the output ends that way (within `maxBytes`), returns all of it and the stream
 * counts as ended; otherwise returns undefined and the stream still yields every byte.
 */
export function takeIfComplete(stream: ReadableStream<Uint8Array>, maxBytes = 65536): Promise<Uint8Array | undefined> {
  const w = guards.get(stream);
  return w?.takeIfComplete && !stream.locked ? w.takeIfComplete(maxBytes) : Promise.resolve(undefined);
}

function watch(src: ReadableStream<Uint8Array>, w: Watchers): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  const ahead: Uint8Array[] = []; // output read ahead and not yet handed on
  let pending: Promise<ReadResult> | undefined; // a read started by the read-ahead
  let bytes = 0, last = 0, beforeLast = 0;
  let complete = false; // the output is complete
  let ended = false;
  let idleError: StreamIdleTimeout | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lastOut = performance.now();
  let reading = false; // the idle clock runs only while we wait on the source, not while the client is slow

  const end = (outcome: Omit<StreamOutcome, "bytes">) => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    if (heartbeat) clearInterval(heartbeat);
    for (const fn of w.onEnd) fn({ bytes, ...outcome });
  };
  const onIdle = () => {
    if (!reading) return;
    idleError = new StreamIdleTimeout(w.idleMs);
    reader.cancel(idleError).catch(() => {});
  };
  const read = (): Promise<ReadResult> => {
    if (w.idleMs > 0) timer = timer ? timer.refresh() : setTimeout(onIdle, w.idleMs);
    reading = true;
    const r = pending ?? reader.read();
    pending = undefined;
    return r.then((x) => {
      reading = false;
      if (idleError) throw idleError;
      return x;
    }, (err) => {
      reading = false;
      throw idleError ?? err;
    });
  };
  const count = (chunk: Uint8Array) => {
    const n = chunk.byteLength;
    if (n === 0) return;
    bytes += n;
    beforeLast = n > 1 ? chunk[n - 2]! : last;
    last = chunk[n - 1]!;
    lastOut = performance.now();
    for (const fn of w.onChunk) fn(chunk);
  };
  /** The rest of the source after the transform finished: read, not sent, so the connection can be reused (64 KB / 2 s at most). */
  const drain = async () => {
    const started = performance.now();
    let n = 0;
    try {
      for (let r = await read(); !r.done; r = await read()) {
        n += r.value?.byteLength ?? 0;
        if (n > 65_536 || performance.now() - started > 2000) return void reader.cancel().catch(() => {});
      }
    } catch {
      // the source failed after the output was complete: nothing to tell
    }
  };
  /** Output for one read result; marks the output complete at the end of the source or of the transform. */
  const consume = async (r: ReadResult): Promise<Uint8Array | undefined> => {
    const t = w.transform;
    if (r.done) {
      complete = true;
      const tail = t?.end();
      return tail ? encoder.encode(tail) : undefined;
    }
    if (!t) return r.value;
    const out = t.chunk(r.value!);
    if (t.done) {
      complete = true;
      await drain();
    }
    return out ? encoder.encode(out) : undefined;
  };
  const failure = (err: unknown): Uint8Array | undefined => {
    reader.cancel(err).catch(() => {});
    complete = true;
    const atBoundary = bytes === 0 || (last === 10 && (beforeLast === 10 || beforeLast === 13)) || (last === 13 && beforeLast === 13);
    const tail = w.transform ? encoder.encode(w.transform.fail(err)) : w.errorTail?.(err, atBoundary);
    return tail?.byteLength ? tail : undefined;
  };

  w.takeIfComplete = async (maxBytes) => {
    let total = 0;
    try {
      let r = await read();
      for (;;) {
        const out = await consume(r);
        if (out) {
          count(out);
          ahead.push(out);
          total += out.byteLength;
        }
        if (complete) {
          end({ cancelled: false });
          return concatBytes(ahead.splice(0), total);
        }
        if (total > maxBytes) return undefined;
        const next = read();
        await null; // one microtask: data the source already holds has settled the read by now
        if (Bun.peek.status(next) === "pending") {
          pending = next;
          return undefined;
        }
        r = await next;
      }
    } catch (err) {
      pending = Promise.reject(err); // the stream's first pull reports it, with the error tail
      pending.catch(() => {});
      return undefined;
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        if (ahead.length > 0) return ctrl.enqueue(ahead.shift()!);
        const hb = w.transform?.heartbeat && w.transform.heartbeatMs ? w.transform.heartbeatMs : 0;
        if (hb > 0 && !heartbeat) {
          heartbeat = setInterval(() => {
            if (complete || performance.now() - lastOut < hb) return;
            const beat = w.transform!.heartbeat!();
            if (!beat) return;
            const b = encoder.encode(beat);
            count(b);
            ctrl.enqueue(b);
          }, Math.max(50, Math.min(1000, hb / 2)));
        }
        for (;;) {
          let out: Uint8Array | undefined;
          let error: unknown;
          try {
            out = await consume(await read());
          } catch (err) {
            error = err;
            out = failure(err);
          }
          if (out) {
            count(out);
            ctrl.enqueue(out);
          }
          if (error !== undefined && !out) {
            ctrl.error(error);
            return end({ error, cancelled: false });
          }
          if (complete) {
            ctrl.close();
            return end(error !== undefined ? { error, cancelled: false } : { cancelled: false });
          }
          if (out) return;
        }
      },
      cancel(reason) {
        end({ cancelled: true });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
