// Wraps a byte stream to watch it pass: counts bytes, enforces an idle timeout, reports how it
// ended, and on an upstream failure can close with protocol-shaped bytes instead of a cut connection.
// Guards compose without stacking: guarding a guarded stream that nobody reads yet adds the new
// watchers to the existing guard, so the bytes cross JavaScript once however many engines watch them.
// A guard can also read ahead (`takeIfComplete`): a stream whose bytes are all there already (a short
// answer, an error) is then sent as one body instead of through a JavaScript stream.

import { concatBytes } from "./bytes";

/** How a guarded stream ended. */
export interface StreamOutcome {
  bytes: number;
  /** Set when the source failed or went idle. */
  error?: unknown;
  /** True when the consumer (the client) cancelled. */
  cancelled: boolean;
}

/** Options of guardStream. */
export interface StreamGuardOptions {
  /** Fail the stream when no chunk arrives for this long (0 or undefined: never). */
  idleTimeoutMs?: number;
  /** Called once, when the stream ends in any way. */
  onEnd?: (outcome: StreamOutcome) => void;
  /** Bytes to send before closing when the source fails; `atBoundary` says whether the bytes so far ended with a blank line. */
  errorTail?: (error: unknown, atBoundary: boolean) => Uint8Array | undefined;
}

/** Raised inside a guarded stream when the idle timeout fires. */
export class StreamIdleTimeout extends Error {
  constructor(ms: number) {
    super(`upstream stream was idle for ${ms} ms`);
    this.name = "StreamIdleTimeout";
  }
}

interface Watchers {
  /** Reads ahead while the source has data ready; returns all bytes if it ended, else undefined. */
  takeIfComplete?: (maxBytes: number) => Promise<Uint8Array | undefined>;
  idleMs: number;
  onEnd: ((o: StreamOutcome) => void)[];
  errorTail?: StreamGuardOptions["errorTail"];
}

const guards = new WeakMap<ReadableStream<Uint8Array>, Watchers>();

function addWatchers(w: Watchers, opts: StreamGuardOptions): void {
  const idle = opts.idleTimeoutMs ?? 0;
  if (idle > 0 && (w.idleMs === 0 || idle < w.idleMs)) w.idleMs = idle;
  if (opts.onEnd) w.onEnd.push(opts.onEnd);
  if (opts.errorTail) w.errorTail = opts.errorTail;
}

/** Returns a stream with the same bytes as `src`, watched as the options say. */
export function guardStream(src: ReadableStream<Uint8Array>, opts: StreamGuardOptions): ReadableStream<Uint8Array> {
  const existing = guards.get(src);
  if (existing && !src.locked) {
    addWatchers(existing, opts);
    return src;
  }
  const w: Watchers = { idleMs: 0, onEnd: [] };
  addWatchers(w, opts);
  const out = watch(src, w);
  guards.set(out, w);
  return out;
}

/**
 * For a guarded stream nobody reads yet: waits for its first chunk, then keeps reading while more is
 * ready at once. When the source ends that way (within `maxBytes`), returns all its bytes and the
 * stream counts as ended; otherwise returns undefined and the stream still yields every byte.
 */
export function takeIfComplete(stream: ReadableStream<Uint8Array>, maxBytes = 65536): Promise<Uint8Array | undefined> {
  const w = guards.get(stream);
  return w?.takeIfComplete && !stream.locked ? w.takeIfComplete(maxBytes) : Promise.resolve(undefined);
}

function watch(src: ReadableStream<Uint8Array>, w: Watchers): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  const ahead: Uint8Array[] = []; // chunks read ahead and not yet handed on
  let pending: Promise<{ done: boolean; value?: Uint8Array }> | undefined; // a read started by the read-ahead
  let bytes = 0;
  let last = 0, beforeLast = 0;
  let ended = false;
  let idleError: StreamIdleTimeout | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reading = false; // the idle clock runs only while we wait on the source, not while the client is slow

  const end = (outcome: Omit<StreamOutcome, "bytes">) => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    for (const fn of w.onEnd) fn({ bytes, ...outcome });
  };
  const onIdle = () => {
    if (!reading) return;
    idleError = new StreamIdleTimeout(w.idleMs);
    reader.cancel(idleError).catch(() => {});
  };
  const fail = (ctrl: ReadableStreamDefaultController<Uint8Array>, err: unknown) => {
    reader.cancel(err).catch(() => {});
    const atBoundary = bytes === 0 || (last === 10 && (beforeLast === 10 || beforeLast === 13)) || (last === 13 && beforeLast === 13);
    const tail = w.errorTail?.(err, atBoundary);
    if (tail) {
      bytes += tail.byteLength;
      ctrl.enqueue(tail);
      ctrl.close();
    } else ctrl.error(err);
    end({ error: err, cancelled: false });
  };
  const armIdle = () => {
    if (w.idleMs > 0) timer = timer ? timer.refresh() : setTimeout(onIdle, w.idleMs);
    reading = true;
  };
  const count = (chunk: Uint8Array) => {
    const n = chunk.byteLength;
    if (n > 0) {
      bytes += n;
      beforeLast = n > 1 ? chunk[n - 2]! : last;
      last = chunk[n - 1]!;
    }
  };
  w.takeIfComplete = async (maxBytes) => {
    let total = 0;
    try {
      armIdle();
      let r: { done: boolean; value?: Uint8Array } = await reader.read();
      for (;;) {
        reading = false;
        if (idleError) throw idleError;
        if (r.done) {
          end({ cancelled: false });
          return concatBytes(ahead.splice(0), total);
        }
        count(r.value!);
        ahead.push(r.value!);
        total += r.value!.byteLength;
        if (total > maxBytes) return undefined;
        armIdle();
        const next = reader.read();
        await null; // one microtask: data the source already holds has settled the read by now
        const settled = Bun.peek(next);
        if (settled === next) {
          pending = next;
          return undefined;
        }
        r = settled as { done: boolean; value?: Uint8Array };
      }
    } catch (err) {
      reading = false;
      pending = Promise.reject(err); // the stream's first pull reports it, with the error tail
      pending.catch(() => {});
      return undefined;
    }
  };
  const onChunk = (ctrl: ReadableStreamDefaultController<Uint8Array>, r: { done: boolean; value?: Uint8Array }) => {
    reading = false;
    if (idleError) return fail(ctrl, idleError);
    if (r.done) {
      ctrl.close();
      return end({ cancelled: false });
    }
    count(r.value!);
    ctrl.enqueue(r.value!);
  };

  return new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (ahead.length > 0) return ctrl.enqueue(ahead.shift()!);
        armIdle();
        const read = pending ?? reader.read();
        pending = undefined;
        return read.then((r) => onChunk(ctrl, r), (err) => fail(ctrl, err));
      },
      cancel(reason) {
        end({ cancelled: true });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
