// Reading a whole upstream answer: bounded in size (an upstream may lie about content-length or send
// forever), and under an idle deadline that restarts with every piece (a slow but live body is not cut).
import { GatewayError, concatBytes } from "../../core";
import type { Deadline } from "./deadline";

/** Default for the largest whole answer the gateway holds in memory (64 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The error for an answer past the limit (502: the upstream misbehaved, not the client). */
export function answerTooLarge(limit: number): GatewayError {
  return new GatewayError("upstream_unavailable", `upstream answer is larger than the limit of ${limit} bytes (server.max_response_bytes)`);
}

/** Reads a whole answer; each piece re-arms the idle deadline; more than `maxBytes` cancels the read and throws. */
export async function readAnswer(body: ReadableStream<Uint8Array>, declared: string | null, maxBytes: number, deadline: Deadline, idleMs: number): Promise<Uint8Array> {
  const reader = body.getReader();
  if (declared !== null && Number(declared) > maxBytes) {
    reader.cancel().catch(() => {});
    throw answerTooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  deadline.arm(idleMs, "idle");
  for (;;) {
    const read = reader.read();
    if (Bun.peek.status(read) === "pending") deadline.refresh(); // waiting starts now: the idle clock too
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

/** Reads a whole stream as text, at most `maxBytes` (default 64 MiB): past it the read is cancelled and a 502 thrown. */
export async function readTextBounded(stream: ReadableStream<Uint8Array>, maxBytes = DEFAULT_MAX_RESPONSE_BYTES): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw answerTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concatBytes(chunks, total));
}
