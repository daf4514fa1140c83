// The spend side of a built gateway: which budgets apply to whom, and the highest rate a model can bill.
import type { Caller } from "../core";
import { backendPricing, type Backend, type Budget, type BudgetScope, type Budgets, type ModelBudgets } from "../engines";
import type { BackendConfig, Config } from "./schema";

type BudgetConfig = NonNullable<Config["users"][string]["budgets"]>;

const budget = (b: BudgetConfig): Budget => ({
  usdPerDay: b.usd_per_day,
  usdPerMonth: b.usd_per_month,
  usdTotal: b.usd_total,
  onExceed: b.on_exceed ?? "deny",
});

/** Whether any org, org × model or key has a budget. */
export function hasBudgets(config: Config): boolean {
  return Object.values(config.users).some((o) => o.budgets || o.key_budgets || Object.values(o.models).some((e) => e?.budgets));
}

/** The budgets of one model: the caller's org, the org on this model, and the caller's key. */
export function modelBudgets(
  config: Config,
  model: string,
  budgets: Budgets,
  backends: Map<string, Backend>,
  upstreamOf: (backend: string, asked: string) => string,
): ModelBudgets {
  const byCaller = memo<BudgetScope[]>();
  const scopes = (caller: Caller | undefined): BudgetScope[] =>
    caller ? byCaller(`${caller.org}\n${caller.user}`, () => callerScopes(config, caller, [model])) : [];
  const rates = memo<number>();
  const maxRate = (asked: string) =>
    rates(asked, () => {
      let max = 0;
      for (const [name, b] of backends) {
        const p = b.price?.(upstreamOf(name, asked));
        if (!p) continue;
        for (const r of [p.input, p.output, p.cacheRead, p.cacheWrite]) max = Math.max(max, r.base, ...(r.tiers ?? []).map((t) => t.price));
      }
      return max;
    });
  return { budgets, scopes, maxRate };
}

/** A cache of what a key computes to (the config does not change under a build); emptied past 10 000 keys. */
function memo<T>(): (key: string, compute: () => T) => T {
  const seen = new Map<string, T>();
  return (key, compute) => {
    let v = seen.get(key);
    if (v === undefined) {
      if (seen.size >= 10_000) seen.clear();
      seen.set(key, (v = compute()));
    }
    return v;
  };
}

/** Every budget scope of a caller, across models (for its own usage report). */
export function allBudgetScopes(config: Config, caller: Caller | undefined): BudgetScope[] {
  return callerScopes(config, caller, caller ? Object.keys(config.users[caller.org]?.models ?? {}) : []);
}

/** Every budget of the config, each with its org: orgs', orgs' per model, and each key's (keys of file-mode orgs; a database's keys are not listed). */
export function everyBudgetScope(config: Config): { org: string; scope: BudgetScope }[] {
  const out: { org: string; scope: BudgetScope }[] = [];
  for (const [org, def] of Object.entries(config.users)) {
    const models = Object.keys(def.models);
    const users = Object.keys(def.api_keys ?? {});
    const scopes = callerScopes(config, { org, user: users[0] ?? "" }, models).filter((s) => !s.key.startsWith("budget:key:"));
    for (const scope of scopes) out.push({ org, scope });
    if (def.key_budgets)
      for (const user of users) out.push({ org, scope: { key: `budget:key:${org}/${user}`, label: `key ${org}/${user}`, budget: budget(def.key_budgets) } });
  }
  return out;
}

/** A caller's budget scopes: its org's, its org's on each of `models`, its key's. */
function callerScopes(config: Config, caller: Caller | undefined, models: string[]): BudgetScope[] {
  if (!caller) return [];
  const org = config.users[caller.org];
  const out: BudgetScope[] = [];
  if (org?.budgets) out.push({ key: `budget:org:${caller.org}`, label: `org ${caller.org}`, budget: budget(org.budgets) });
  for (const model of models) {
    const own = org?.models[model]?.budgets;
    if (own) out.push({ key: `budget:org:${caller.org}:model:${model}`, label: `org ${caller.org} on model ${model}`, budget: budget(own) });
  }
  if (org?.key_budgets) out.push({ key: `budget:key:${caller.org}/${caller.user}`, label: "this API key", budget: budget(org.key_budgets) });
  return out;
}

/** A backend's prices by upstream name: its own `price`, else the catalog's; a mock without a price has none. */
export function pricingOf(b: BackendConfig): Backend["price"] {
  return b.price || (b.provider ?? "http") === "http" ? backendPricing(b.price, b.base_url) : undefined;
}
