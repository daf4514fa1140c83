// Spend budgets: USD per UTC day, per UTC calendar month and in total, for an org, an org on one model, and each
// API key. Admission takes the request's reserved cost (its token reservation at the highest rate it could be
// billed at) from every budget that applies, atomically, in the limit store (memory, or Redis for a fleet);
// settlement corrects it to the real cost when the answer ends. Counters are in micro-USD.
import { GatewayError, log, type Logger } from "../../core";
import type { Adjustment, LimitStore, WindowResult } from "../limits/store";
import { slicesFor, type BudgetSlices } from "./slices";

/** One budget: any of the three amounts, and what happens past it. */
export interface Budget {
  usdPerDay?: number;
  usdPerMonth?: number;
  usdTotal?: number;
  onExceed: "deny" | "warn";
}

/** A budget and the counter key and words it goes by. */
export interface BudgetScope {
  key: string;
  label: string;
  budget: Budget;
}

/** What an admitted request holds: the amounts taken (settled later). */
export interface BudgetHold {
  takes: Adjustment[];
  reserved: number;
  /** Taken from this instance's slices: settled there. */
  sliced?: boolean;
}

const DAY = 86_400_000;
const LONG = 2 ** 41; // a window that does not end: months and totals are told apart by their key
const MICRO = 1_000_000;

/** Micro-USD as a counter takes them: a non-negative integer (NaN or less counts as 0). */
export const microUsd = (usd: number) => (usd > 0 ? Math.min(Math.ceil(usd * MICRO), 2 ** 50) : 0);

/** One period of a budget: its counter, amount and window; `resetMs` is the time to its end (undefined: never). */
interface Period {
  scope: BudgetScope;
  key: string;
  usd: number;
  /** The counter's limit in micro-USD (a warn budget's counter has none). */
  limit: number;
  windowMs: number;
  what: string;
  resetMs(now: number): number | undefined;
}

let month = { from: 0, to: 0, tag: "" };

/** The UTC month a moment falls in ("2026-12") and its bounds, kept while it lasts. */
function monthOf(now: number): typeof month {
  if (now < month.from || now >= month.to) {
    const d = new Date(now);
    const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    month = { from, to: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1), tag: d.toISOString().slice(0, 7) };
  }
  return month;
}

const planCache = new WeakMap<BudgetScope[], { tag: string; list: Period[] }>();

/** The periods of every scope's budget at `now` (kept per scope list while the month lasts). */
function periods(scopes: BudgetScope[], now: number): Period[] {
  const { tag } = monthOf(now);
  const cached = planCache.get(scopes);
  if (cached?.tag === tag) return cached.list;
  const list: Period[] = [];
  for (const scope of scopes) {
    const b = scope.budget;
    const limit = (usd: number) => (b.onExceed === "deny" ? microUsd(usd) : Number.MAX_SAFE_INTEGER);
    const period = (key: string, usd: number, windowMs: number, what: string, resetMs: Period["resetMs"]) =>
      list.push({ scope, key: `${scope.key}:${key}`, usd, limit: limit(usd), windowMs, what, resetMs });
    if (b.usdPerDay !== undefined) period("usd_day", b.usdPerDay, DAY, "per day", (t) => DAY - (t % DAY));
    if (b.usdPerMonth !== undefined) period(`usd_month:${tag}`, b.usdPerMonth, LONG, "per month", (t) => monthOf(t).to - t);
    if (b.usdTotal !== undefined) period("usd_total", b.usdTotal, LONG, "in total", () => undefined);
  }
  planCache.set(scopes, { tag, list });
  return list;
}

/** The 429 for the first period that refused: what was spent, and when the period starts over. */
function refusal(plan: Period[], results: Pick<WindowResult, "allowed" | "used">[], now: number): GatewayError {
  const i = results.findIndex((r) => !r.allowed);
  const p = plan[i]!;
  const resetMs = p.resetMs(now);
  // never retried by the SDKs: a retry within seconds cannot succeed, and the Anthropic SDK (so Claude Code)
  // would otherwise sleep for the whole retry-after, hours, before telling the user anything
  const headers: Record<string, string> = { "x-should-retry": "false" };
  if (resetMs !== undefined) headers["retry-after"] = String(Math.ceil(resetMs / 1000));
  const spent = (results[i]!.used / MICRO).toFixed(4);
  return new GatewayError("rate_limit", `budget exceeded: ${p.scope.label} has spent $${spent} of its $${p.usd} ${p.what}`, {
    type: "budget_exceeded",
    code: "budget_exceeded",
    headers,
  });
}

/** Budget admission and settlement over a limit store. */
export class Budgets {
  storeFailures = 0;
  private readonly slices: BudgetSlices | undefined;

  constructor(
    readonly store: LimitStore,
    private readonly opts: { failClosed?: boolean; logger?: Logger } = {},
  ) {
    this.slices = slicesFor(store);
  }

  /**
   * Takes `reservedUsd` from every budget of `scopes`, all or nothing. A deny budget that would go past its amount
   * refuses (429, type budget_exceeded); a warn budget past it is named in the result, and the request goes on.
   */
  async admit(scopes: BudgetScope[], reservedUsd: number, now = Date.now()): Promise<{ hold: BudgetHold; over: string[] }> {
    const amount = microUsd(reservedUsd);
    const plan = periods(scopes, now);
    // nothing to take (an unpriced model): it cannot spend, so no counter is asked
    if (!plan.length || !amount) return { hold: { takes: [], reserved: amount }, over: [] };
    const sliced = Boolean(this.slices);
    let taken: { allowed: boolean; results: Pick<WindowResult, "allowed" | "used" | "window">[] };
    try {
      taken = sliced
        ? await this.slices!.take(plan, amount, now)
        : await this.store.takeAll(plan.map((p) => ({ key: p.key, amount, limit: p.limit, windowMs: p.windowMs })));
    } catch (err) {
      this.failed(err);
      return { hold: { takes: [], reserved: 0 }, over: [] };
    }
    if (!taken.allowed) throw refusal(plan, taken.results, now);
    const over: string[] = [];
    const takes: Adjustment[] = [];
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      const r = taken.results[i]!;
      if (p.scope.budget.onExceed === "warn" && r.used > microUsd(p.usd)) over.push(`${p.scope.label} ${p.what}`);
      takes.push({ key: p.key, window: r.window, windowMs: p.windowMs, delta: amount });
    }
    return { hold: { takes, reserved: amount, sliced }, over };
  }

  /** What each budget of `scopes` has spent and has left now (reads the counters; takes nothing). */
  async status(
    scopes: BudgetScope[],
    now = Date.now(),
  ): Promise<{ scope: string; period: string; usd: number; spent: number; remaining: number; resets_at: string | null }[]> {
    const plan = periods(scopes, now);
    if (!plan.length) return [];
    const read = await this.store.takeAll(plan.map((p) => ({ key: p.key, amount: 0, windowMs: p.windowMs, limit: Number.MAX_SAFE_INTEGER })));
    return plan.map((p, i) => {
      const r = read.results[i]!;
      const spent = (r.used - (this.slices?.unspent(p.key, r.window) ?? 0)) / MICRO;
      const reset = p.resetMs(now);
      const resets_at = reset === undefined ? null : new Date(now + reset).toISOString();
      return { scope: p.scope.label, period: p.what, usd: p.usd, spent, remaining: Math.max(0, p.usd - spent), resets_at };
    });
  }

  /** Corrects the reservation to what the answer cost (0: nothing was generated). */
  async settle(hold: BudgetHold, actualUsd: number): Promise<void> {
    const delta = microUsd(actualUsd) - hold.reserved;
    if (!delta || !hold.takes.length) return;
    if (hold.sliced) {
      for (const t of hold.takes) this.slices!.settle(t.key, t.window, t.windowMs, delta);
      return;
    }
    try {
      await this.store.adjustAll(hold.takes.map((t) => ({ ...t, delta })));
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.storeFailures++;
    (this.opts.logger ?? log).error(`budget store failed; requests are ${this.opts.failClosed ? "refused" : "let through"}`, {
      error: (err as Error)?.message ?? String(err),
    });
    if (this.opts.failClosed) throw new GatewayError("overloaded", "budgets cannot be checked right now (limit store unavailable)", { status: 503 });
  }
}
