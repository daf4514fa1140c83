// Load balancing over a model's backends, with failover and circuit breakers.
export { BalancerEngine, type Backend, type BalancerTarget, type FailoverOptions } from "./balancer";
export { CircuitBreaker, type BreakerState } from "./circuit-breaker";
export { SmoothWeightedRoundRobin, type Weighted } from "./smooth-wrr";
export { FAILOVER_DEFAULTS } from "./defaults";
export { sessionKeyOf, rendezvousOrder, parseSessionSource, DEFAULT_SESSION_SOURCES, type SessionSource } from "./affinity";
