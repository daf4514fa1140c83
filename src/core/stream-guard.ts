// Wraps a byte stream to watch it pass: counts bytes, enforces an idle timeout, reports how it
// ended, and on an upstream failure can close with protocol-shaped bytes instead of a cut connection.

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

/** Returns a stream with the same bytes as `src`, watched as the options say. */
export function guardStream(src: ReadableStream<Uint8Array>, opts: StreamGuardOptions): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  const idleMs = opts.idleTimeoutMs ?? 0;
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
    opts.onEnd?.({ bytes, ...outcome });
  };
  const onIdle = () => {
    if (!reading) return;
    idleError = new StreamIdleTimeout(idleMs);
    reader.cancel(idleError).catch(() => {});
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        try {
          if (idleMs > 0) timer = timer ? timer.refresh() : setTimeout(onIdle, idleMs);
          reading = true;
          const r = await reader.read();
          reading = false;
          if (idleError) throw idleError;
          if (r.done) {
            ctrl.close();
            end({ cancelled: false });
            return;
          }
          const chunk = r.value;
          const n = chunk.byteLength;
          if (n > 0) {
            bytes += n;
            beforeLast = n > 1 ? chunk[n - 2]! : last;
            last = chunk[n - 1]!;
          }
          ctrl.enqueue(chunk);
        } catch (err) {
          reader.cancel(err).catch(() => {});
          const atBoundary = bytes === 0 || (last === 10 && (beforeLast === 10 || beforeLast === 13)) || (last === 13 && beforeLast === 13);
          const tail = opts.errorTail?.(err, atBoundary);
          if (tail) {
            bytes += tail.byteLength;
            ctrl.enqueue(tail);
            ctrl.close();
          } else ctrl.error(err);
          end({ error: err, cancelled: false });
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
