// Runs an upstream SSE stream through a converter, with keep-alive pings; the client's cancel reaches the upstream.
// Events that are already buffered are converted together and sent as one write: a fast upstream costs a
// few writes per answer, not one per event, while a paced upstream still gets each event out as it comes.
import { SseParser, type SseEvent } from "../../core";

/** A stream converter: text out for each upstream event, at the end, on failure, and for a ping. */
export interface StreamConverter {
  push(e: SseEvent): string;
  end(): string;
  fail(err: unknown): string;
  ping(): string;
  readonly done: boolean;
}

const encoder = new TextEncoder();
type Read = Promise<{ done: boolean; value?: Uint8Array }>;

/**
 * Reads what the upstream still sends after the converted answer ended (usually just the end of its body)
 * before the answer is closed, so the upstream connection is back in the keep-alive pool for the next
 * request; gives up (cancels) after 64 KB or 2 s.
 */
async function drain(reader: { read(): Read; cancel(): Promise<void> }, pending: Read | undefined): Promise<void> {
  const started = performance.now();
  let bytes = 0;
  try {
    for (let r = await (pending ?? reader.read()); !r.done; r = await reader.read()) {
      bytes += r.value?.byteLength ?? 0;
      if (bytes > 65_536 || performance.now() - started > 2000) return void reader.cancel().catch(() => {});
    }
  } catch {
    // the upstream failed after the answer was complete: nothing to tell the client
  }
}

/** The converted byte stream. Pings go out when nothing was written for `pingMs` (0: never). */
export function convertEventStream(upstream: ReadableStream<Uint8Array>, conv: StreamConverter, pingMs: number): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let pending: Read | undefined; // a read started in an earlier pull, still to be consumed
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastWrite = performance.now();
  let closed = false;
  const stop = () => {
    closed = true;
    if (timer) clearInterval(timer);
  };
  const feed = (text: string, last: boolean): string => {
    let out = "";
    for (const e of parser.push(text)) {
      out += conv.push(e);
      if (conv.done) return out;
    }
    if (last) for (const e of parser.end()) out += conv.push(e);
    return out;
  };
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      if (pingMs <= 0) return;
      timer = setInterval(() => {
        if (closed || performance.now() - lastWrite < pingMs) return;
        const text = conv.ping();
        if (!text) return;
        lastWrite = performance.now();
        ctrl.enqueue(encoder.encode(text));
      }, Math.max(50, Math.min(1000, pingMs / 2)));
    },
    async pull(ctrl) {
      let out = "";
      let finished = false;
      let read = pending ?? reader.read();
      pending = undefined;
      for (;;) {
        try {
          const r = await read;
          if (r.done) {
            out += feed(decoder.decode(), true);
            if (!conv.done) out += conv.end();
            finished = true;
          } else out += feed(decoder.decode(r.value, { stream: true }), false);
        } catch (err) {
          out += conv.fail(err);
          finished = true;
        }
        if (finished || conv.done) break;
        read = reader.read();
        if (!out) continue;
        await null; // one microtask: data the upstream already holds settles the read by now
        if (Bun.peek(read) === read) {
          pending = read; // nothing more is ready: send what we have
          break;
        }
      }
      if (out && !closed) {
        lastWrite = performance.now();
        ctrl.enqueue(encoder.encode(out));
      }
      if (finished || conv.done) {
        stop();
        if (!finished) await drain(reader, pending);
        pending = undefined;
        ctrl.close();
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
