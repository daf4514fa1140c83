// Routing rules: expressions over the request, first match wins.
export { Rule, ruleData, firstMatch, RULE_DATA_NAMES, type RuleConfig, type DenyConfig } from "./rule";
export { RequestFeatures, fnv1a32, FEATURE_NAMES } from "./features";
export { RuleSchema, RuleLimitsSchema, DenySchema } from "./config";
