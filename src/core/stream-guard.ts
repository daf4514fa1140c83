// Wraps a byte stream to watch it pass: counts bytes, enforces an idle timeout, reports how it
// ended, and on an upstream failure can close with protocol-shaped bytes instead of a cut connection.
// Guards compose without stacking: guarding a guarded stream that nobody reads yet adds the new
// watchers to the existing guard, so the bytes cross JavaScript once however many engines watch them.

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

function watch(src: ReadableStream<Uint8Array>, w: Watchers): ReadableStream<Uint8Array> {
  const reader = src.getReader();
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
  const onChunk = (ctrl: ReadableStreamDefaultController<Uint8Array>, r: { done: boolean; value?: Uint8Array }) => {
    reading = false;
    if (idleError) return fail(ctrl, idleError);
    if (r.done) {
      ctrl.close();
      return end({ cancelled: false });
    }
    const chunk = r.value!;
    const n = chunk.byteLength;
    if (n > 0) {
      bytes += n;
      beforeLast = n > 1 ? chunk[n - 2]! : last;
      last = chunk[n - 1]!;
    }
    ctrl.enqueue(chunk);
  };

  return new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (w.idleMs > 0) timer = timer ? timer.refresh() : setTimeout(onIdle, w.idleMs);
        reading = true;
        return reader.read().then((r) => onChunk(ctrl, r), (err) => fail(ctrl, err));
      },
      cancel(reason) {
        end({ cancelled: true });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
