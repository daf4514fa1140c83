// The budget side of a model: which budgets apply to a caller, the reserved cost, and the real cost at the end.
import type { Caller, LLMRequest } from "../../core";
import type { BudgetHold, BudgetScope, Budgets } from "../spend/budgets";

/** The budgets configuration of one model. */
export interface ModelBudgets {
  budgets: Budgets;
  /** The budgets that apply to a caller on this model (org, org × model, API key). */
  scopes(caller: Caller | undefined): BudgetScope[];
  /** The highest USD per million tokens this model's backends bill for a requested name (0: unpriced). */
  maxRate(name: string): number;
}

/** Takes the request's reserved cost from its budgets (throws when a deny budget is spent); tags warn budgets past their amount. */
export async function admitBudgets(req: LLMRequest, mb: ModelBudgets, tokens: () => number): Promise<BudgetHold | undefined> {
  const scopes = mb.scopes(req.ctx.caller);
  if (!scopes.length) return undefined;
  const rate = mb.maxRate(req.ctx.route.model ?? "");
  if (!rate) return undefined; // an unpriced model cannot spend
  const { hold, over } = await mb.budgets.admit(scopes, (tokens() * rate) / 1_000_000).catch((err) => {
    if (err?.type === "budget_exceeded") req.ctx.limits.rateLimited = "budget"; // counted in octollm_rate_limited_total
    throw err;
  });
  for (const o of over) req.ctx.tags.push(`budget exceeded: ${o}`);
  return hold;
}
