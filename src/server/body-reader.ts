import { GatewayError, concatBytes } from "../core";

const EMPTY = new Uint8Array(0);

function tooLarge(limit: number): GatewayError {
  return new GatewayError("request_too_large", `request body is larger than the limit of ${limit} bytes`);
}

function stalled(ms: number): GatewayError {
  return new GatewayError("invalid_request", `request body stalled: no bytes for ${ms} ms`, { status: 408, code: "request_timeout" });
}

/**
 * Reads a request body up to `limit` bytes; a larger one (declared or streamed) is a 413 without reading it all.
 * A body that sends nothing for `idleMs` (a trickle that stops, or never starts) is a 408: the connection is
 * not held forever.
 */
export async function readBody(req: Request, limit: number, idleMs = 0): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!req.body) return EMPTY;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const onIdle = () => {
    timedOut = true;
    reader.cancel().catch(() => {});
  };
  try {
    for (;;) {
      if (idleMs > 0) timer = timer ? timer.refresh() : setTimeout(onIdle, idleMs);
      const { done, value } = await reader.read().catch((err) => {
        if (timedOut) throw stalled(idleMs);
        throw err;
      });
      if (timedOut) throw stalled(idleMs);
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
  return concatBytes(chunks, total);
}
