import { GatewayError, concatBytes } from "../core";

const EMPTY = new Uint8Array(0);
/** The slowest upload a declared body may take: its deadline grows by one second per this many bytes. */
export const MIN_BODY_BYTES_PER_SECOND = 256 * 1024;

function tooLarge(limit: number): GatewayError {
  return new GatewayError("request_too_large", `request body is larger than the limit of ${limit} bytes`);
}

function tooSlow(message: string): GatewayError {
  return new GatewayError("invalid_request", message, { status: 408, code: "request_timeout", headers: { connection: "close" } });
}

/**
 * Reads a request body up to `limit` bytes; a larger one (declared or streamed) is a 413 without reading it all.
 * A body that does not arrive in time is a 408, so a stalled or trickling upload cannot hold a connection:
 * a declared body (content-length) must arrive within `timeoutMs` plus one second per 256 KiB (read natively:
 * the common case costs one timer); a chunked body may not pause for longer than `timeoutMs`.
 */
export async function readBody(req: Request, limit: number, timeoutMs = 0): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    const size = Number(declared);
    if (size > limit) throw tooLarge(limit);
    if (timeoutMs <= 0) return req.bytes();
    const ms = timeoutMs + Math.ceil((size * 1000) / MIN_BODY_BYTES_PER_SECOND);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(tooSlow(`request body did not arrive within ${ms} ms`)), ms);
    });
    const bytes = req.bytes();
    try {
      return await Promise.race([bytes, late]);
    } catch (err) {
      bytes.catch(() => {}); // the connection closes with the 408; its read fails quietly
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
  if (!req.body) return EMPTY;
  return readChunked(req.body, limit, timeoutMs);
}

/** A body without a declared length, read piece by piece: a pause longer than `idleMs` is a 408. */
async function readChunked(body: ReadableStream<Uint8Array>, limit: number, idleMs: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fire: (() => void) | undefined;
  // one timer for the whole read, re-armed per piece; a read that outlives it loses the race
  const silence = idleMs > 0 ? new Promise<never>((_, reject) => (fire = () => reject(tooSlow(`request body stalled: no bytes for ${idleMs} ms`)))) : undefined;
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
