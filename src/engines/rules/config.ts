// A routing rule of the config (a model's default rules, an org's rules): its schema.
import * as v from "valibot";
import { LIMIT_FIELDS } from "../limits/config";

/** A rule's limits: when exceeded the rule is skipped, unless deny_when_exceeding. */
export const RuleLimitsSchema = v.strictObject({
  ...LIMIT_FIELDS,
  deny_when_exceeding: v.optional(v.pipe(v.boolean(), v.description("Refuse with 429 instead of skipping the rule"))),
});

/** A rule's deny action. */
export const DenySchema = v.strictObject({
  reason_text: v.optional(v.pipe(v.string(), v.description("Error message returned to the client"))),
  http_status_code: v.optional(v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599), v.description("HTTP status (default 400)"))),
  type: v.optional(v.pipe(v.string(), v.description("Error type in the body (default: derived from the status)"))),
  param: v.optional(v.pipe(v.string(), v.description("OpenAI error param"))),
  code: v.optional(v.pipe(v.string(), v.description("OpenAI error code"))),
});

/** A routing rule: first match wins. */
export const RuleSchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.description("Rule name (logs)")),
  match: v.optional(v.pipe(v.string(), v.description("Expression over RawReq, Features, Headers, Org, User, Model (default: true)"))),
  deny: v.optional(DenySchema),
  forward_weights: v.optional(
    v.pipe(v.record(v.string(), v.pipe(v.number(), v.minValue(0))), v.description("Backend name → weight, among the model's backends")),
  ),
  add_tags: v.optional(v.pipe(v.array(v.string()), v.description("Tags for later engines and the access log"))),
  rule_limits: v.optional(RuleLimitsSchema),
});
