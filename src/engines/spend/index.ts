// What requests cost: model prices (configured, or from the catalog).
export { backendPricing, catalogPrice, configuredPrice, type PriceConfig } from "./catalog";
export { Budgets, microUsd, type Budget, type BudgetScope, type BudgetHold } from "./budgets";
export { giveBackSlices } from "./slices";
export { PriceSchema, BudgetSchema } from "./config";
