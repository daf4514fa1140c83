import { GatewayError, concatBytes } from "../core";

const EMPTY = new Uint8Array(0);

function tooLarge(limit: number): GatewayError {
  return new GatewayError("request_too_large", `request body is larger than the limit of ${limit} bytes`);
}

/** Reads a request body up to `limit` bytes; a larger one (declared or streamed) is a 413 without reading it all. */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge(limit);
    return req.bytes();
  }
  if (!req.body) return EMPTY;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}
