import type { Engine, LLMRequest, LLMResponse } from "../../core";
import { firstMatch, ruleData, type Rule } from "../rules";
import type { AccessPolicy } from "./access";

/** What a model needs to route a request. */
export interface ModelEngineOptions {
  name: string;
  access: AccessPolicy;
  /** Rules per org, run before the model's default rules. */
  orgRules: ReadonlyMap<string, readonly Rule[]>;
  defaultRules: readonly Rule[];
  /** The default pool (backends named default:<weight>). */
  pool: Engine;
}

/** One exposed model: checks access, runs the rule chain (first match wins), and sends to the chosen backends. */
export class ModelEngine implements Engine {
  constructor(private readonly opts: ModelEngineOptions) {}

  /** The access policy (the model list shows a caller only what it may use). */
  get access(): AccessPolicy {
    return this.opts.access;
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const { opts } = this;
    opts.access.check(req.ctx.caller, opts.name);
    const orgRules = req.ctx.caller ? opts.orgRules.get(req.ctx.caller.org) : undefined;
    let rule: Rule | undefined;
    if (orgRules?.length || opts.defaultRules.length) {
      const data = ruleData(req);
      rule = (orgRules && firstMatch(orgRules, data)) ?? firstMatch(opts.defaultRules, data);
    }
    if (rule) {
      req.ctx.tags.push(...rule.tags);
      if (rule.deny) throw rule.denial();
    }
    return (rule?.target ?? opts.pool).process(req);
  }
}
