// Load balancing over a model's backends.
export { BalancerEngine, type BalancerTarget } from "./balancer";
export { SmoothWeightedRoundRobin, type Weighted } from "./smooth-wrr";
