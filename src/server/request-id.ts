// Request ids: a random per-process prefix and a counter; unique and cheap.

const prefix = `req_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
let counter = 0;

/** A new request id, e.g. "req_3f9a0c1b2d4e000001a". */
export function nextRequestId(): string {
  return prefix + (++counter).toString(36).padStart(7, "0");
}
