import type { Engine, LLMRequest, LLMResponse, TokenUsage } from "../../core";
import type { BudgetHold } from "../spend/budgets";
import { admitBudgets, answerCost, type ModelBudgets } from "./budgets";
import { rateLimitError, type Admission, type LimitInfo } from "../limits";
import { moderated, type ModerationPolicy } from "../moderation";
import { ruleData, type Rule } from "../rules";
import type { AccessPolicy } from "./access";
import { reserveTokens, settleOnEnd, tighter, type ModelLimits } from "./limits";

/** What a model needs to route a request. */
export interface ModelEngineOptions {
  name: string;
  access: AccessPolicy;
  /** Rules per org, run before the model's default rules. */
  orgRules: ReadonlyMap<string, readonly Rule[]>;
  defaultRules: readonly Rule[];
  /** The default pool (backends named default:<weight>). */
  pool: Engine;
  /** Rate limits, when any are configured. */
  limits?: ModelLimits;
  /** The moderation policy for a caller's org (undefined: none), when any is configured. */
  moderation?: (org: string | undefined) => ModerationPolicy | undefined;
  /** Spend budgets, when any are configured. */
  budgets?: ModelBudgets;
  /** The most output tokens a reservation counts (limits and budgets). */
  maxOutputReservation?: number;
}

/**
 * One exposed model: checks access, runs the rule chain (first match wins; a rule whose limits are exceeded
 * is skipped, or refuses), admits the request under the org × model and API-key limits, and sends it to
 * the chosen backends, under the org's moderation policy. Token reservations are settled to the real usage
 * when the answer ends.
 */
export class ModelEngine implements Engine {
  constructor(private readonly opts: ModelEngineOptions) {}

  /** The access policy (the model list shows a caller only what it may use). */
  get access(): AccessPolicy {
    return this.opts.access;
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const { opts } = this;
    opts.access.check(req.ctx.caller, opts.name);
    const lim = opts.limits;
    const held: Admission[] = [];
    let info: LimitInfo = {};
    let reserved: number | undefined;
    const tokens = () => (reserved ??= reserveTokens(req, lim?.maxOutputReservation ?? opts.maxOutputReservation ?? 32_000));
    let budget: BudgetHold | undefined;
    try {
      const rule = await this.pickRule(req, held, tokens);
      if (rule) {
        req.ctx.tags.push(...rule.tags);
        if (rule.deny) throw rule.denial();
      }
      if (lim) {
        const caller = req.ctx.caller;
        const dims = [
          [`org:${caller?.org ?? "-"}:model:${opts.name}`, lim.orgLimits(caller?.org), `org ${caller?.org ?? "(anonymous)"} on model ${opts.name}`, "org"],
          [`key:${caller?.org}/${caller?.user}`, caller && lim.keyLimits(caller), "this API key", "key"],
        ] as const;
        for (const [key, limits, scope, kind] of dims) {
          if (!limits) continue;
          const r = await lim.limiter.admit(key, limits, tokens);
          if (!r.ok) {
            req.ctx.limits.rateLimited = kind;
            throw rateLimitError(r, scope);
          }
          held.push(r.admission);
          info = tighter(info, r.info);
        }
      }
      if (opts.budgets) budget = await admitBudgets(req, opts.budgets, tokens);
      const target = rule?.target ?? opts.pool;
      const policy = opts.moderation?.(req.ctx.caller?.org);
      const res = await (policy ? moderated(req, target, policy) : target.process(req));
      const hold = budget;
      const spent =
        hold &&
        ((usage: TokenUsage | undefined | 0) => {
          if (usage === undefined && res.status < 400) return; // no usage seen (a stream cut short): the reservation stands
          void opts.budgets!.budgets.settle(hold, res.status >= 400 ? 0 : answerCost(req, usage));
        });
      return (lim && held.length) || spent ? settleOnEnd(lim?.limiter, held, res, info, spent) : res;
    } catch (err) {
      for (const a of held) void lim!.limiter.settle(a, 0); // nothing was generated: give the tokens back
      if (budget) void opts.budgets!.budgets.settle(budget, 0);
      throw err;
    }
  }

  /** The first matching rule whose own limits admit the request (a rule with deny_when_exceeding refuses instead). */
  private async pickRule(req: LLMRequest, held: Admission[], tokens: () => number): Promise<Rule | undefined> {
    const { opts } = this;
    const orgRules = req.ctx.caller ? opts.orgRules.get(req.ctx.caller.org) : undefined;
    if (!orgRules?.length && !opts.defaultRules.length) return undefined;
    const data = ruleData(req);
    for (const list of [orgRules ?? [], opts.defaultRules]) {
      for (const rule of list) {
        if (!rule.matches(data)) continue;
        if (rule.limits && opts.limits) {
          const r = await opts.limits.limiter.admit(rule.limitKey, rule.limits, tokens);
          if (!r.ok) {
            if (rule.denyWhenExceeding) {
              req.ctx.limits.rateLimited = "rule";
              throw rateLimitError(r, `rule ${rule.name}`);
            }
            req.ctx.tags.push(`limit-skipped:${rule.name}`);
            continue;
          }
          held.push(r.admission);
        }
        return rule;
      }
    }
    return undefined;
  }
}
