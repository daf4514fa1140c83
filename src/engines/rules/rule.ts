// A routing rule compiled from config: match expression, then deny, or re-weighted backends, and tags.
import { GatewayError, kindForStatus, log, type Logger, type Engine, type LLMRequest } from "../../core";
import { compileExpr, type CompiledExpr } from "../../expr";
import type { Limits } from "../limits";
import { RequestFeatures } from "./features";

/** A rule's deny action as written in the config. */
export interface DenyConfig {
  reason_text?: string;
  http_status_code?: number;
  type?: string;
  param?: string;
  code?: string;
}

/** A rule as written in the config. */
export interface RuleConfig {
  name: string;
  match?: string;
  deny?: DenyConfig;
  forward_weights?: Record<string, number>;
  add_tags?: string[];
  rule_limits?: Limits & { deny_when_exceeding?: boolean };
}

/** A compiled rule; `target` is the engine its forward_weights built (set by the config layer). */
export class Rule {
  readonly name: string;
  readonly expr: CompiledExpr;
  readonly deny?: DenyConfig;
  readonly tags: string[];
  /** Limits of this rule: when exceeded the rule is skipped, or with denyWhenExceeding the request gets a 429. */
  readonly limits?: Limits;
  readonly denyWhenExceeding: boolean;
  target?: Engine;
  /** The counter key of this rule's limits (set by the config layer: model and scope). */
  limitKey: string;
  private warned = false;

  constructor(
    cfg: RuleConfig,
    private readonly logger: Logger = log,
  ) {
    this.name = cfg.name;
    this.expr = compileExpr(cfg.match ?? "true");
    this.deny = cfg.deny;
    this.tags = cfg.add_tags ?? [];
    const { deny_when_exceeding, ...limits } = cfg.rule_limits ?? {};
    this.limits = Object.keys(limits).length ? limits : undefined;
    this.denyWhenExceeding = deny_when_exceeding === true;
    this.limitKey = `rule:${cfg.name}`;
  }

  /** True when the expression evaluates to exactly `true`; a run-time failure counts as no match (logged once). */
  matches(data: object): boolean {
    const result = this.expr.evaluate(data);
    if (result instanceof Error) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn("rule expression failed at run time; counted as no match", { rule: this.name, error: result.message });
      }
      return false;
    }
    return result === true;
  }

  /** The error a deny rule answers with. */
  denial(): GatewayError {
    const d = this.deny!;
    const status = d.http_status_code ?? 400;
    return new GatewayError(kindForStatus(status), d.reason_text ?? `request denied by rule ${this.name}`, {
      status,
      type: d.type,
      param: d.param,
      code: d.code,
    });
  }
}

/** The top-level names a rule expression may read. */
export const RULE_DATA_NAMES = ["RawReq", "Features", "Headers", "Org", "User", "Model", "Tags"] as const;

/** The data a rule expression sees; each part is computed on first use. */
export function ruleData(req: LLMRequest): object {
  let raw: unknown, features: RequestFeatures | undefined, headers: Record<string, string> | undefined;
  return {
    get RawReq() {
      return (raw ??= req.body.json());
    },
    get Features() {
      return (features ??= new RequestFeatures(
        () => req.body.json(),
        req.ctx.route.model ?? "",
        req.headers,
        (key) => req.body.holdsItems(key),
      ));
    },
    get Headers() {
      return (headers ??= Object.fromEntries(req.headers));
    },
    Org: req.ctx.caller?.org ?? null,
    User: req.ctx.caller?.user ?? null,
    Model: req.ctx.route.model ?? null,
    Tags: req.ctx.tags,
  };
}

/** The first rule of the list that matches, if any. */
export function firstMatch(rules: readonly Rule[], data: object): Rule | undefined {
  for (const rule of rules) if (rule.matches(data)) return rule;
  return undefined;
}
