import { GatewayError, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { SmoothWeightedRoundRobin } from "./smooth-wrr";

/** A named backend with its weight in the pool. */
export interface BalancerTarget {
  name: string;
  weight: number;
  engine: Engine;
}

/** Spreads requests over backends by smooth weighted round-robin and records the chosen backend. */
export class BalancerEngine implements Engine {
  private readonly rr: SmoothWeightedRoundRobin<BalancerTarget>;

  constructor(targets: BalancerTarget[]) {
    this.rr = new SmoothWeightedRoundRobin(targets.map((t) => ({ item: t, weight: t.weight })));
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const target = this.rr.next();
    if (!target) throw new GatewayError("overloaded", "no backend with a positive weight");
    req.ctx.backend = target.name;
    return target.engine.process(req);
  }
}
