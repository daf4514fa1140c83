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
  let fire: (() => void) | undefined;
  // one timer for the whole read, re-armed per piece; a read that outlives it loses the race
  const silence = idleMs > 0 ? new Promise<never>((_, reject) => (fire = () => reject(stalled(idleMs)))) : undefined;
  silence?.catch(() => {});
  try {
    for (;;) {
      if (fire) timer = timer ? timer.refresh() : setTimeout(fire, idleMs);
      const { done, value } = await (silence ? Promise.race([reader.read(), silence]) : reader.read());
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw tooLarge(limit);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
  return concatBytes(chunks, total);
}
