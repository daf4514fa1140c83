// GET /admin/ui/api/live/stream: the Live page's server-sent events, one snapshot every two seconds, while the
// browser stays and its session lives (a logout or a changed admin key ends the stream at the next tick).
import type { LiveSnapshot } from "./api-live";

const TICK_MS = 2000;

/** An event stream of live snapshots. */
export function liveStream(snapshot: () => Promise<LiveSnapshot>, stillSignedIn: () => Promise<boolean>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = () => {
        clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", stop, { once: true });
      const tick = async () => {
        if (signal.aborted) return;
        if (!(await stillSignedIn().catch(() => true))) {
          controller.enqueue(encoder.encode("event: signed-out\ndata: {}\n\n"));
          return stop();
        }
        try {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(await snapshot())}\n\n`));
        } catch {
          return stop(); // the browser left
        }
        timer = setTimeout(tick, TICK_MS);
      };
      controller.enqueue(encoder.encode("retry: 3000\n\n"));
      void tick();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
