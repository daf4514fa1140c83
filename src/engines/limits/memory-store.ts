import { randomUUID } from "node:crypto";
import { windowOf, type LeaseResult, type LimitStore, type WindowResult } from "./store";

/** Limit counters in this process's memory; expired entries are swept every few seconds. */
export class MemoryLimitStore implements LimitStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref?.();
  }

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<WindowResult> {
    const now = this.now();
    const { window, resetMs } = windowOf(now, windowMs);
    const k = `${key}:${window}`;
    let c = this.counters.get(k);
    if (!c || c.expiresAt <= now) this.counters.set(k, (c = { count: 0, expiresAt: now + resetMs }));
    if (c.count + amount > limit) return { allowed: false, used: c.count, limit, resetMs, window };
    c.count += amount;
    return { allowed: true, used: c.count, limit, resetMs, window };
  }

  async adjust(key: string, window: number, windowMs: number, delta: number): Promise<void> {
    const c = this.counters.get(`${key}:${window}`);
    if (c && c.expiresAt > this.now()) c.count = Math.max(0, c.count + delta);
    else if (delta > 0 && (window + 1) * windowMs > this.now()) this.counters.set(`${key}:${window}`, { count: delta, expiresAt: (window + 1) * windowMs });
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
