// Admission against rpm/tpm/rpd/tpd/concurrency limits, and settlement of token reservations.
import { GatewayError, log, type Logger } from "../../core";
import type { LimitStore } from "./store";

/** Limits of one dimension (org × model, API key, or rule); every field optional. */
export interface Limits {
  rpm?: number;
  tpm?: number;
  rpd?: number;
  tpd?: number;
  concurrency?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The windowed limits, checked together in one atomic step. */
const WINDOWS = [
  { field: "rpm", what: "requests", windowMs: MINUTE },
  { field: "rpd", what: "requests", windowMs: DAY },
  { field: "tpm", what: "tokens", windowMs: MINUTE },
  { field: "tpd", what: "tokens", windowMs: DAY },
] as const;

interface Take {
  key: string;
  window: number;
  windowMs: number;
  amount: number;
  tokens: boolean;
}

/** What an admitted request holds: counts to settle and leases to release. */
export interface Admission {
  takes: Take[];
  leases: { key: string; lease: string }[];
  /** The tokens reserved (settled later against the real usage). */
  reserved: number;
}

/** Rate-limit state for response headers. */
export interface LimitInfo {
  requests?: { limit: number; remaining: number; resetMs: number };
  tokens?: { limit: number; remaining: number; resetMs: number };
}

/** The outcome of an admission. */
export type AdmitResult =
  | { ok: true; admission: Admission; info: LimitInfo }
  | { ok: false; what: "requests" | "tokens" | "concurrency"; limit: number; retryAfterMs: number; info: LimitInfo };

/** How the limiter behaves when its store fails (Redis down). */
export interface LimiterOptions {
  /** Refuse requests (503) instead of letting them through. */
  failClosed?: boolean;
  /** Lease TTL for concurrency slots; renewed while a response is running. */
  leaseTtlMs?: number;
  /** Where store failures are logged. */
  logger?: Logger;
}

/** An empty admission (nothing to settle or release). */
export const NO_ADMISSION: Admission = { takes: [], leases: [], reserved: 0 };

/** Largest token count one request adds to a counter. */
const MAX_TOKENS_PER_REQUEST = 2 ** 40;

/** A token amount as a store takes it: a non-negative integer, whatever a client or upstream claimed (NaN counts as 0). */
export function tokenCount(n: number): number {
  return n > 0 ? Math.min(Math.ceil(n), MAX_TOKENS_PER_REQUEST) : 0;
}

/** Checks requests against limits in a LimitStore; counts are atomic, so concurrent requests cannot overshoot. */
export class Limiter {
  /** Store failures so far (each one is also logged, at most every 10 s). */
  storeFailures = 0;
  private lastLog = 0;
  readonly leaseTtlMs: number;

  constructor(
    readonly store: LimitStore,
    private readonly opts: LimiterOptions = {},
  ) {
    this.leaseTtlMs = opts.leaseTtlMs ?? 60_000;
  }

  /** Admits a request under `limits` at `key`; `tokens` (called only when a token limit applies) is its reservation. */
  async admit(key: string, limits: Limits, tokens: () => number): Promise<AdmitResult> {
    const info: LimitInfo = {};
    const reserve = limits.tpm || limits.tpd ? tokenCount(tokens()) : 0;
    const windows = WINDOWS.filter((w) => limits[w.field]);
    try {
      const checks = windows.map((w) => ({
        key: `${key}:${w.field}`,
        amount: w.what === "tokens" ? reserve : 1,
        limit: limits[w.field]!,
        windowMs: w.windowMs,
      }));
      const taken = checks.length ? await this.store.takeAll(checks) : { allowed: true, results: [] };
      taken.results.forEach((r, i) => {
        const what = windows[i]!.what;
        const state = { limit: r.limit, remaining: Math.max(0, r.limit - r.used), resetMs: r.resetMs };
        if (!info[what] || state.remaining < info[what]!.remaining) info[what] = state;
      });
      if (!taken.allowed) {
        const i = taken.results.findIndex((r) => !r.allowed);
        return { ok: false, what: windows[i]!.what, limit: taken.results[i]!.limit, retryAfterMs: taken.results[i]!.resetMs, info };
      }
      const takes = checks.map((c, i) => ({
        key: c.key,
        window: taken.results[i]!.window,
        windowMs: c.windowMs,
        amount: c.amount,
        tokens: windows[i]!.what === "tokens",
      }));
      const admission: Admission = { takes, leases: [], reserved: reserve };
      if (limits.concurrency) {
        const k = `${key}:concurrency`;
        const lease = await this.store.acquire(k, limits.concurrency, this.leaseTtlMs);
        if (!lease.allowed) {
          await this.store.adjustAll(takes.filter((t) => t.amount).map((t) => ({ key: t.key, window: t.window, windowMs: t.windowMs, delta: -t.amount })));
          return { ok: false, what: "concurrency", limit: limits.concurrency, retryAfterMs: 1000, info };
        }
        admission.leases.push({ key: k, lease: lease.lease! });
      }
      return { ok: true, admission, info };
    } catch (err) {
      return this.storeFailed(err);
    }
  }

  /** Settles token reservations to the real usage (undefined: keep the reservation) and releases the leases. */
  async settle(a: Admission, tokensUsed: number | undefined): Promise<void> {
    try {
      if (tokensUsed !== undefined) {
        const used = tokenCount(tokensUsed);
        const fixes = a.takes
          .filter((t) => t.tokens && used !== t.amount)
          .map((t) => ({ key: t.key, window: t.window, windowMs: t.windowMs, delta: used - t.amount }));
        if (fixes.length) await this.store.adjustAll(fixes);
      }
      for (const l of a.leases) await this.store.release(l.key, l.lease);
    } catch (err) {
      this.logFailure(err);
    }
  }

  /** Keeps the admission's leases alive (long streams). */
  async renew(a: Admission): Promise<void> {
    try {
      for (const l of a.leases) await this.store.renew(l.key, l.lease, this.leaseTtlMs);
    } catch (err) {
      this.logFailure(err);
    }
  }

  private storeFailed(err: unknown): AdmitResult {
    this.logFailure(err);
    if (this.opts.failClosed) throw new GatewayError("overloaded", "rate limits cannot be checked right now (limit store unavailable)", { status: 503 });
    return { ok: true, admission: NO_ADMISSION, info: {} };
  }

  private logFailure(err: unknown): void {
    this.storeFailures++;
    const now = Date.now();
    if (now - this.lastLog < 10_000) return;
    this.lastLog = now;
    (this.opts.logger ?? log).error(`limit store failed; requests are ${this.opts.failClosed ? "refused" : "let through"}`, {
      failures: this.storeFailures,
      error: (err as Error)?.message ?? String(err),
    });
  }
}
