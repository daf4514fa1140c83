import { randomUUID } from "node:crypto";
import { windowOf, type Adjustment, type LeaseResult, type LimitStore, type TakeCheck, type WindowResult } from "./store";

/** Limit counters in this process's memory; expired entries are swept every few seconds. */
export class MemoryLimitStore implements LimitStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref?.();
  }

  async takeAll(checks: TakeCheck[]): Promise<{ allowed: boolean; results: WindowResult[] }> {
    const now = this.now();
    const slots = checks.map((c) => {
      const { window, resetMs } = windowOf(now, c.windowMs);
      const k = `${c.key}:${window}`;
      let counter = this.counters.get(k);
      if (!counter || counter.expiresAt <= now) this.counters.set(k, (counter = { count: 0, expiresAt: now + resetMs }));
      return { c, counter, window, resetMs, fits: counter.count + c.amount <= c.limit };
    });
    const allowed = slots.every((s) => s.fits);
    if (allowed) for (const s of slots) s.counter.count += s.c.amount;
    return { allowed, results: slots.map((s) => ({ allowed: s.fits, used: s.counter.count, limit: s.c.limit, resetMs: s.resetMs, window: s.window })) };
  }

  async adjustAll(items: Adjustment[]): Promise<void> {
    const now = this.now();
    for (const { key, window, windowMs, delta } of items) {
      const c = this.counters.get(`${key}:${window}`);
      if (c && c.expiresAt > now) c.count = Math.max(0, c.count + delta);
      else if (delta > 0 && (window + 1) * windowMs > now) this.counters.set(`${key}:${window}`, { count: delta, expiresAt: (window + 1) * windowMs });
    }
  }

  async acquire(key: string, limit: number, ttlMs: number): Promise<LeaseResult> {
    const now = this.now();
    let held = this.leases.get(key);
    if (!held) this.leases.set(key, (held = new Map()));
    for (const [lease, expiresAt] of held) if (expiresAt <= now) held.delete(lease);
    if (held.size >= limit) return { allowed: false, held: held.size };
    const lease = randomUUID();
    held.set(lease, now + ttlMs);
    return { allowed: true, held: held.size, lease };
  }

  async renew(key: string, lease: string, ttlMs: number): Promise<void> {
    const held = this.leases.get(key);
    if (held?.has(lease)) held.set(lease, this.now() + ttlMs);
  }

  async release(key: string, lease: string): Promise<void> {
    this.leases.get(key)?.delete(lease);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, c] of this.counters) if (c.expiresAt <= now) this.counters.delete(k);
    for (const [k, held] of this.leases) {
      for (const [lease, expiresAt] of held) if (expiresAt <= now) held.delete(lease);
      if (held.size === 0) this.leases.delete(k);
    }
  }
}
