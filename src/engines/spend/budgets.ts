// Spend budgets: USD per UTC day, per UTC calendar month and in total, for an org, an org on one model, and each
// API key. Admission takes the request's reserved cost (its token reservation at the highest rate it could be
// billed at) from every budget that applies, atomically, in the limit store (memory, or Redis for a fleet);
// settlement corrects it to the real cost when the answer ends. Counters are in micro-USD.
import { GatewayError, log, type Logger } from "../../core";
import type { Adjustment, LimitStore } from "../limits/store";

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
}

const DAY = 86_400_000;
const LONG = 2 ** 41; // a window that does not end: months and totals are told apart by their key
const MICRO = 1_000_000;

/** Micro-USD as a counter takes them: a non-negative integer (NaN or less counts as 0). */
export const microUsd = (usd: number) => (usd > 0 ? Math.min(Math.ceil(usd * MICRO), 2 ** 50) : 0);

/** The start of the next UTC month, in ms. */
function nextMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function periods(scope: BudgetScope, now: number) {
  const b = scope.budget;
  const month = new Date(now).toISOString().slice(0, 7);
  return [
    b.usdPerDay !== undefined && { key: `${scope.key}:usd_day`, usd: b.usdPerDay, windowMs: DAY, what: "per day", resetMs: () => DAY - (now % DAY) },
    b.usdPerMonth !== undefined && {
      key: `${scope.key}:usd_month:${month}`,
      usd: b.usdPerMonth,
      windowMs: LONG,
      what: "per month",
      resetMs: () => nextMonth(now) - now,
    },
    b.usdTotal !== undefined && { key: `${scope.key}:usd_total`, usd: b.usdTotal, windowMs: LONG, what: "in total", resetMs: () => undefined },
  ].filter((p): p is Exclude<typeof p, false> => Boolean(p));
}

/** Budget admission and settlement over a limit store. */
export class Budgets {
  storeFailures = 0;

  constructor(
    readonly store: LimitStore,
    private readonly opts: { failClosed?: boolean; logger?: Logger } = {},
  ) {}

  /**
   * Takes `reservedUsd` from every budget of `scopes`, all or nothing. A deny budget that would go past its amount
   * refuses (429, type budget_exceeded); a warn budget past it is named in the result, and the request goes on.
   */
  async admit(scopes: BudgetScope[], reservedUsd: number, now = Date.now()): Promise<{ hold: BudgetHold; over: string[] }> {
    const amount = microUsd(reservedUsd);
    const checks = scopes.flatMap((s) => periods(s, now).map((p) => ({ scope: s, p })));
    if (!checks.length) return { hold: { takes: [], reserved: amount }, over: [] };
    let taken: Awaited<ReturnType<LimitStore["takeAll"]>>;
    try {
      taken = await this.store.takeAll(
        checks.map(({ scope, p }) => ({
          key: p.key,
          amount,
          windowMs: p.windowMs,
          limit: scope.budget.onExceed === "deny" ? microUsd(p.usd) : Number.MAX_SAFE_INTEGER,
        })),
      );
    } catch (err) {
      this.failed(err);
      return { hold: { takes: [], reserved: 0 }, over: [] };
    }
    if (!taken.allowed) {
      const i = taken.results.findIndex((r) => !r.allowed);
      const { scope, p } = checks[i]!;
      const resetMs = p.resetMs();
      const headers: Record<string, string> = resetMs === undefined ? { "x-should-retry": "false" } : { "retry-after": String(Math.ceil(resetMs / 1000)) };
      const spent = (taken.results[i]!.used / MICRO).toFixed(4);
      throw new GatewayError("rate_limit", `budget exceeded: ${scope.label} has spent $${spent} of its $${p.usd} ${p.what}`, {
        type: "budget_exceeded",
        code: "budget_exceeded",
        headers,
      });
    }
    const over = checks
      .filter(({ scope, p }, i) => scope.budget.onExceed === "warn" && taken.results[i]!.used > microUsd(p.usd))
      .map(({ scope, p }) => `${scope.label} ${p.what}`);
    const takes = checks.map(({ p }, i) => ({ key: p.key, window: taken.results[i]!.window, windowMs: p.windowMs, delta: amount }));
    return { hold: { takes, reserved: amount }, over };
  }

  /** What each budget of `scopes` has spent and has left now (reads the counters; takes nothing). */
  async status(scopes: BudgetScope[], now = Date.now()): Promise<{ scope: string; period: string; usd: number; spent: number; remaining: number }[]> {
    const checks = scopes.flatMap((s) => periods(s, now).map((p) => ({ scope: s, p })));
    if (!checks.length) return [];
    const read = await this.store.takeAll(checks.map(({ p }) => ({ key: p.key, amount: 0, windowMs: p.windowMs, limit: Number.MAX_SAFE_INTEGER })));
    return checks.map(({ scope, p }, i) => {
      const spent = read.results[i]!.used / MICRO;
      return { scope: scope.label, period: p.what, usd: p.usd, spent, remaining: Math.max(0, p.usd - spent) };
    });
  }

  /** Corrects the reservation to what the answer cost (0: nothing was generated). */
  async settle(hold: BudgetHold, actualUsd: number): Promise<void> {
    const delta = microUsd(actualUsd) - hold.reserved;
    if (!delta || !hold.takes.length) return;
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
