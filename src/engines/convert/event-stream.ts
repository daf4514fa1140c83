// Runs an upstream SSE stream through a converter, with keep-alive pings; the client's cancel reaches the upstream.
import { sseDecoder, type SseEvent } from "../../core";

/** A stream converter: text out for each upstream event, at the end, on failure, and for a ping. */
export interface StreamConverter {
  push(e: SseEvent): string;
  end(): string;
  fail(err: unknown): string;
  ping(): string;
  readonly done: boolean;
}

const encoder = new TextEncoder();

/** The converted byte stream. Pings go out when nothing was written for `pingMs` (0: never). */
export function convertEventStream(upstream: ReadableStream<Uint8Array>, conv: StreamConverter, pingMs: number): ReadableStream<Uint8Array> {
  const reader = upstream.pipeThrough(sseDecoder()).getReader();
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastWrite = performance.now();
  let closed = false;
  const stop = () => {
    closed = true;
    if (timer) clearInterval(timer);
  };
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      if (pingMs > 0) {
        timer = setInterval(() => {
          if (closed || performance.now() - lastWrite < pingMs) return;
          const text = conv.ping();
          if (!text) return;
          lastWrite = performance.now();
          ctrl.enqueue(encoder.encode(text));
        }, Math.max(50, Math.min(1000, pingMs / 2)));
      }
    },
    async pull(ctrl) {
      for (;;) {
        let text: string;
        let finished = false;
        try {
          const r = await reader.read();
          if (r.done) {
            text = conv.end();
            finished = true;
          } else text = conv.push(r.value);
        } catch (err) {
          text = conv.fail(err);
          finished = true;
        }
        if (text && !closed) {
          lastWrite = performance.now();
          ctrl.enqueue(encoder.encode(text));
        }
        if (finished || conv.done) {
          if (!finished) reader.cancel().catch(() => {});
          stop();
          ctrl.close();
          return;
        }
        if (text) return;
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
