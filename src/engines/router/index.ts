// Model lookup: the entry engine of a configured gateway.
export { ModelRouterEngine } from "./model-router";
export { ModelNames, globMatch, isPattern, shadowedPatterns } from "./model-names";
