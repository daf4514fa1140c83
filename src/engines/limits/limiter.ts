// Admission against rpm/tpm/rpd/tpd/concurrency limits, and settlement of token reservations.
import { GatewayError } from "../../core";
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

interface Take { key: string; window: number; windowMs: number; amount: number; tokens: boolean }

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
}

/** An empty admission (nothing to settle or release). */
export const NO_ADMISSION: Admission = { takes: [], leases: [], reserved: 0 };

/** Checks requests against limits in a LimitStore; counts are atomic, so concurrent requests cannot overshoot. */
export class Limiter {
  /** Store failures so far (each one is also logged, at most every 10 s). */
  storeFailures = 0;
  private lastLog = 0;
  readonly leaseTtlMs: number;

  constructor(readonly store: LimitStore, private readonly opts: LimiterOptions = {}) {
    this.leaseTtlMs = opts.leaseTtlMs ?? 60_000;
  }

  /** Admits a request under `limits` at `key`; `tokens` (called only when a token limit applies) is its reservation. */
  async admit(key: string, limits: Limits, tokens: () => number): Promise<AdmitResult> {
    const taken: Take[] = [];
    const info: LimitInfo = {};
    const reserve = limits.tpm || limits.tpd ? tokens() : 0;
    try {
      const checks: [keyof Limits, "requests" | "tokens", number, number][] = [
        ["rpm", "requests", MINUTE, 1], ["rpd", "requests", DAY, 1], ["tpm", "tokens", MINUTE, reserve], ["tpd", "tokens", DAY, reserve],
      ];
      for (const [field, what, windowMs, amount] of checks) {
        const limit = limits[field];
        if (!limit) continue;
        const k = `${key}:${field}`;
        const r = await this.store.take(k, amount, limit, windowMs);
        const state = { limit, remaining: Math.max(0, limit - r.used), resetMs: r.resetMs };
        if (!info[what] || state.remaining < info[what]!.remaining) info[what] = state;
        if (!r.allowed) {
          await this.refund(taken);
          return { ok: false, what, limit, retryAfterMs: r.resetMs, info };
        }
        taken.push({ key: k, window: r.window, windowMs, amount, tokens: what === "tokens" });
      }
      const admission: Admission = { takes: taken, leases: [], reserved: reserve };
      if (limits.concurrency) {
        const k = `${key}:concurrency`;
        const lease = await this.store.acquire(k, limits.concurrency, this.leaseTtlMs);
        if (!lease.allowed) {
          await this.refund(taken);
          return { ok: false, what: "concurrency", limit: limits.concurrency, retryAfterMs: 1000, info };
        }
        admission.leases.push({ key: k, lease: lease.lease! });
      }
      return { ok: true, admission, info };
    } catch (err) {
      return this.storeFailed(err, taken);
    }
  }

  /** Settles token reservations to the real usage (undefined: keep the reservation) and releases the leases. */
  async settle(a: Admission, tokensUsed: number | undefined): Promise<void> {
    try {
      if (tokensUsed !== undefined) {
        for (const t of a.takes) if (t.tokens && tokensUsed !== t.amount) await this.store.adjust(t.key, t.window, t.windowMs, tokensUsed - t.amount);
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

  private async refund(taken: Take[]): Promise<void> {
    for (const t of taken) if (t.amount) await this.store.adjust(t.key, t.window, t.windowMs, -t.amount);
  }

  private storeFailed(err: unknown, taken: Take[]): AdmitResult {
    this.logFailure(err);
    this.refund(taken).catch(() => {});
    if (this.opts.failClosed) throw new GatewayError("overloaded", "rate limits cannot be checked right now (limit store unavailable)", { status: 503 });
    return { ok: true, admission: NO_ADMISSION, info: {} };
  }

  private logFailure(err: unknown): void {
    this.storeFailures++;
    const now = Date.now();
    if (now - this.lastLog < 10_000) return;
    this.lastLog = now;
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: `limit store failed; requests are ${this.opts.failClosed ? "refused" : "let through"}`, failures: this.storeFailures, error: (err as Error)?.message ?? String(err) }));
  }
}
