// One exposed model: access, rules, and its backends.
export { ModelEngine, type ModelEngineOptions } from "./model-engine";
export { AccessPolicy, type Access } from "./access";
