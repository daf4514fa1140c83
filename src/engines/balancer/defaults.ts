/** The one place failover and circuit-breaker defaults live (the config schema reads them too). */
export const FAILOVER_DEFAULTS = { maxAttempts: 3, budgetMs: 30_000, failureThreshold: 3, cooldownMs: 30_000 } as const;
