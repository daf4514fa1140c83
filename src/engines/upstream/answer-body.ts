// Reading a whole upstream answer: bounded in size (an upstream may lie about content-length or send
// forever), and under an idle deadline that restarts whenever a read has to wait (a slow but live body is not cut).
import { GatewayError, concatBytes } from "../../core";
import type { Deadline } from "./deadline";

/** Default for the largest whole answer the gateway holds in memory (64 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The error for an answer past the limit (502: the upstream misbehaved, not the client). */
export function answerTooLarge(limit: number): GatewayError {
  return new GatewayError("upstream_unavailable", `upstream answer is larger than the limit of ${limit} bytes (server.max_response_bytes)`);
}

/** All bytes of a stream, at most `maxBytes` (past it the read is cancelled and a 502 thrown); `onWait` runs when a read has to wait. */
async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number, onWait?: () => void): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const read = reader.read();
    if (onWait && Bun.peek.status(read) === "pending") onWait();
    const { done, value } = await read;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw answerTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

/** Reads a whole answer under the idle deadline; a larger one than `maxBytes` (declared or read) throws. */
export async function readAnswer(
  body: ReadableStream<Uint8Array>,
  declared: string | null,
  maxBytes: number,
  deadline: Deadline,
  idleMs: number,
): Promise<Uint8Array> {
  if (declared !== null && Number(declared) > maxBytes) {
    body.cancel().catch(() => {});
    throw answerTooLarge(maxBytes);
  }
  deadline.arm(idleMs, "idle");
  return readBounded(body, maxBytes, () => deadline.refresh()); // waiting starts now: the idle clock too
}

/** Reads a whole stream as text, at most `maxBytes` (default 64 MiB): past it the read is cancelled and a 502 thrown. */
export async function readTextBounded(stream: ReadableStream<Uint8Array>, maxBytes = DEFAULT_MAX_RESPONSE_BYTES): Promise<string> {
  return new TextDecoder().decode(await readBounded(stream, maxBytes));
}
