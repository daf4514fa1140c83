// Routing rules: expressions over the request, first match wins.
export { Rule, ruleData, firstMatch, type RuleConfig, type DenyConfig } from "./rule";
export { RequestFeatures, fnv1a32 } from "./features";
