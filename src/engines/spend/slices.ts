// Budget slices for a shared store (Redis). Asking Redis for every request's reservation costs a round trip
// each; instead an instance takes a slice of each budget on top of the reservation that needed it (about 32
// requests' worth, never more than 1/64 of a deny budget), admits the next requests from that slice in memory,
// and settles them there. A slice idle for a second, a slice of a window that has ended, and every slice at
// shutdown go back to the store. The store's counter is thus what was spent plus what is reserved and sliced:
// a deny budget still never admits past its amount, and at most one slice per instance sits unused meanwhile.
import { windowOf, type LimitStore, type WindowResult } from "../limits/store";

/** One counter to take from. */
export interface SliceCheck {
  key: string;
  limit: number;
  windowMs: number;
}

const SLICE_REQUESTS = 32; // a slice covers about this many requests like the one that took it

interface Slice {
  window: number;
  windowMs: number;
  /** What is left of the slice (negative: settlements went past it, owed to the store). */
  left: number;
  /** The store's counter when the slice was taken. */
  usedAtGrant: number;
  touchedAt: number;
}

type Taken = { allowed: boolean; results: Pick<WindowResult, "allowed" | "used" | "window">[] };

/** Slices of budget counters held by this instance over a shared store. */
export class BudgetSlices {
  private readonly slices = new Map<string, Slice>();
  private readonly refills = new Map<string, Promise<unknown>>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: LimitStore,
    private readonly idleMs = 1_000,
  ) {
    this.sweeper = setInterval(() => this.giveBack((s, now) => s.touchedAt <= now - this.idleMs), idleMs);
    this.sweeper.unref?.();
  }

  /**
   * Takes `need` from every counter, all or nothing: from this instance's slices when each has room, else from
   * the store (one request at a time per set of counters; the others wait for its slice). A counter's `used`
   * is the store's counter as this instance last saw it, less what its slice has not yet spent.
   */
  async take(checks: SliceCheck[], need: number, now = Date.now()): Promise<Taken> {
    const first = this.takeLocal(checks, need, now);
    if (first) return first;
    const id = checks.map((c) => c.key).join("\n");
    for (let refill = this.refills.get(id); refill; refill = this.refills.get(id)) {
      await refill;
      const local = this.takeLocal(checks, need, now);
      if (local) return local;
    }
    const taking = this.takeFromStore(checks, need, now);
    const refill = taking.catch(() => {});
    this.refills.set(id, refill);
    void refill.finally(() => this.refills.get(id) === refill && this.refills.delete(id));
    return taking;
  }

  /** Corrects a take by `delta` (the real cost less the reservation): in its slice, or in the store once the slice is gone. */
  settle(key: string, window: number, windowMs: number, delta: number): void {
    const s = this.slices.get(key);
    if (s && s.window === window) s.left -= delta;
    else void this.store.adjustAll([{ key, window, windowMs, delta }]).catch(() => {});
  }

  /** What this instance holds unspent of a counter's current slice (0 when none). */
  unspent(key: string, window: number): number {
    const s = this.slices.get(key);
    return s && s.window === window ? Math.max(0, s.left) : 0;
  }

  /** Gives every slice back to the store (at shutdown, before the store closes). */
  close(): void {
    clearInterval(this.sweeper);
    this.giveBack(() => true);
  }

  private takeLocal(checks: SliceCheck[], need: number, now: number): Taken | undefined {
    const slices: Slice[] = [];
    for (const c of checks) {
      const s = this.slices.get(c.key);
      if (!s || s.left < need || s.window !== Math.floor(now / c.windowMs)) return undefined;
      slices.push(s);
    }
    for (const s of slices) {
      s.left -= need;
      s.touchedAt = now;
    }
    return { allowed: true, results: slices.map((s) => ({ allowed: true, used: s.usedAtGrant - s.left, window: s.window })) };
  }

  private async takeFromStore(checks: SliceCheck[], need: number, now: number): Promise<Taken> {
    const slice = checks.map((c) => Math.min(need * SLICE_REQUESTS, Math.floor(c.limit / 64))); // at most 1/64 of a deny budget
    const ask = (withSlice: boolean) =>
      this.store.takeAll(checks.map((c, i) => ({ key: c.key, amount: need + (withSlice ? slice[i]! : 0), limit: c.limit, windowMs: c.windowMs })));
    let sliced = slice.some((n) => n > 0);
    let taken = await ask(sliced);
    if (!taken.allowed && sliced) {
      sliced = false;
      taken = await ask(false); // the budget cannot spare a slice: just this request's reservation
    }
    if (!taken.allowed) return this.takeLocal(checks, need, now) ?? taken; // another request may have brought a slice meanwhile
    const results = checks.map((c, i) => {
      const r = taken.results[i]!;
      let s = this.slices.get(c.key);
      if (s && s.window !== r.window) {
        this.giveBackOne(c.key, s);
        s = undefined;
      }
      if (!s) this.slices.set(c.key, (s = { window: r.window, windowMs: c.windowMs, left: 0, usedAtGrant: r.used, touchedAt: now }));
      s.left += sliced ? slice[i]! : 0;
      s.usedAtGrant = r.used;
      s.touchedAt = now;
      return { allowed: true, used: r.used - s.left, window: r.window };
    });
    return { allowed: true, results };
  }

  private giveBack(which: (s: Slice, now: number) => boolean): void {
    const now = Date.now();
    for (const [key, s] of this.slices) if (which(s, now) || s.window !== windowOf(now, s.windowMs).window) this.giveBackOne(key, s);
  }

  private giveBackOne(key: string, s: Slice): void {
    this.slices.delete(key);
    if (s.left) void this.store.adjustAll([{ key, window: s.window, windowMs: s.windowMs, delta: -s.left }]).catch(() => {});
  }
}

const registry = new WeakMap<LimitStore, BudgetSlices>();

/** The slices held over a shared store (one set per store, kept across config reloads); undefined for a local one. */
export function slicesFor(store: LimitStore): BudgetSlices | undefined {
  if (!store.shared) return undefined;
  let slices = registry.get(store);
  if (!slices) registry.set(store, (slices = new BudgetSlices(store)));
  return slices;
}

/** Gives back the budget slices held over a store, if any (call before closing it). */
export function giveBackSlices(store: LimitStore): void {
  registry.get(store)?.close();
}
