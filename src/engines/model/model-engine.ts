import { generatesTokens, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import type { BudgetHold } from "../spend/budgets";
import { admitBudgets, type ModelBudgets } from "./budgets";
import { chargeOf, type AnswerEnd } from "./charge";
import { askingStreamUsage, UsageChunkFilter } from "./stream-usage";
import { storedResponse, storedResponseId } from "./stored-response";
import type { ResponseOwners } from "../responses";
import { invalidKey } from "../auth";
import { rateLimitError, type Admission, type LimitInfo } from "../limits";
import { moderated, type ModerationPolicy } from "../moderation";
import { ruleData, type Rule } from "../rules";
import type { AccessPolicy } from "./access";
import { reserveTokens, settleOnEnd, tighter, type ModelLimits, type TokenReservation } from "./limits";

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
  /** Some backend takes the client's own key (`auth: client`): a key the gateway does not know may be that. */
  clientAuth?: boolean;
  /** The owners of stored responses: reads and continuations of another org's (or an unknown) response are refused. */
  responses?: ResponseOwners;
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
    if (req.ctx.keyRejected && !opts.clientAuth) throw invalidKey(); // a wrong key never gets anonymous service
    opts.access.check(req.ctx.caller, opts.name);
    const storedId = opts.responses && storedResponseId(req);
    const storedTokens = storedId ? await storedResponse(req, storedId, opts.responses!, opts.name) : 0;
    const lim = opts.limits;
    const held: Admission[] = [];
    let info: LimitInfo = {};
    const generating = generatesTokens(req.format); // token counts and stored-response reads reserve and cost nothing
    let reserved: TokenReservation | undefined;
    const reservation = () => (reserved ??= reserveTokens(req, lim?.maxOutputReservation ?? opts.maxOutputReservation ?? 32_000, storedTokens));
    const tokens = () => (generating ? reservation().input + reservation().output : 0);
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
      if (opts.budgets && generating) budget = await admitBudgets(req, opts.budgets, () => reservation().input + reservation().budgetOutput);
      const target = rule?.target ?? opts.pool;
      const policy = opts.moderation?.(req.ctx.caller?.org);
      // a stream whose cost must be known asks its upstream for its usage, which the client does not see unless it asked
      const asking = budget || held.length ? askingStreamUsage(req) : undefined;
      const sent = asking ?? req;
      if (asking) req.ctx.streamUsageAdded = true;
      let res = await (policy ? moderated(sent, target, policy) : target.process(sent));
      if (asking && res.stream) res = { ...res, stream: res.stream.through(new UsageChunkFilter()) };
      const hold = budget;
      const ended = (end: AnswerEnd | undefined) => {
        // one charge for the budgets, the limits and the access log; a failed answer or a token count charges nothing
        const charge = end && generating ? chargeOf(req, end, () => this.reserved(reservation(), hold)) : undefined;
        req.ctx.charge = charge;
        const used = charge ? charge.usage.input + charge.usage.output : 0;
        if (lim) for (const a of held) void lim.limiter.settle(a, used);
        if (hold) void opts.budgets!.budgets.settle(hold, charge?.usd ?? 0);
      };
      return settleOnEnd(lim?.limiter, held, res, info, ended);
    } catch (err) {
      for (const a of held) void lim!.limiter.settle(a, 0); // nothing was generated: give the tokens back
      if (budget) void opts.budgets!.budgets.settle(budget, 0);
      throw err;
    }
  }

  /** A reservation in the charge's terms: the output the budgets reserved when they did, and the USD they took. */
  private reserved(r: TokenReservation, hold: BudgetHold | undefined): { input: number; output: number; usd: number } {
    return { input: r.input, output: hold ? r.budgetOutput : r.output, usd: hold ? hold.reserved / 1_000_000 : 0 };
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
