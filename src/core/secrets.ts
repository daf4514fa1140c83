// Comparing secrets, and telling a loopback address: small checks that the admin API, the metrics, the dashboard
// and the config warnings share.
import { timingSafeEqual } from "node:crypto";

/** Equal strings, compared in constant time (a secret's length may show; its characters never do). */
export function sameSecret(given: string, expected: string): boolean {
  const g = Buffer.from(given),
    e = Buffer.from(expected);
  return g.length === e.length && timingSafeEqual(g, e);
}

/** True for a loopback host or address: 127/8, localhost, ::1 (bare or bracketed), and IPv4-mapped 127/8. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address === "[::1]" || address === "localhost" || /^(::ffff:)?127\./.test(address);
}
