// W3C trace context: the `traceparent` a client sends (read strictly: a malformed one starts a new trace), the
// one the gateway sends upstream, and random trace and span ids.
import { randomFillSync } from "node:crypto";

/** A parent the client named: its trace, its span, whether it sampled, and its tracestate. */
export interface Parent {
  traceId: string;
  spanId: string;
  sampled: boolean;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
/** Longest tracestate kept (the W3C limit is 32 members of at most 256 characters; 512 is what most tracers keep). */
const MAX_TRACESTATE = 512;

/** The parent a `traceparent` header names, or undefined for a missing or invalid one (version ff, all-zero ids, bad hex). */
export function parseTraceparent(value: string | null, tracestate: string | null): Parent | undefined {
  if (!value || value.length > 256) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m || m[1] === "ff" || (m[1] === "00" && m[5] !== undefined)) return undefined;
  if (m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return undefined;
  const parent: Parent = { traceId: m[2]!, spanId: m[3]!, sampled: (Number.parseInt(m[4]!, 16) & 1) === 1 };
  const state = tracestate?.trim();
  if (state && state.length <= MAX_TRACESTATE && /^[\x20-\x7e]+$/.test(state)) parent.tracestate = state;
  return parent;
}

/** The `traceparent` value for a span. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const pool = new Uint8Array(4096);
let at = pool.length;

function hex(bytes: number): string {
  if (at + bytes > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  let s = "";
  for (let i = 0; i < bytes; i++) s += HEX[pool[at++]!]!;
  return s === "0".repeat(bytes * 2) ? hex(bytes) : s; // an all-zero id is invalid
}

/** A new random trace id (32 hex characters). */
export const newTraceId = () => hex(16);

/** A new random span id (16 hex characters). */
export const newSpanId = () => hex(8);

/** Whether a new trace is sampled at `ratio`: its id's last 8 bytes below the ratio's share (the same answer for the same id everywhere). */
export function sampledByRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return Number.parseInt(traceId.slice(18), 16) / 2 ** 56 < ratio; // 14 hex digits: within a double's exact range
}
