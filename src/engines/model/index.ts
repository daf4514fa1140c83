// One exposed model: access, rules, and its backends.
export { ModelEngine, type ModelEngineOptions } from "./model-engine";
export { reserveTokens, type ModelLimits } from "./limits";
export type { ModelBudgets } from "./budgets";
export { AccessPolicy, type Access } from "./access";
export { AddedStreamUsageRemoved } from "./stream-usage";
