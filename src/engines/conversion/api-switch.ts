// A backend that speaks some APIs and not others: each request format goes to the engine that serves it
// (passed through, or converted); a format no engine serves is refused, naming the backend's APIs.
import { GatewayError, type ApiFormat, type Engine, type LLMRequest, type LLMResponse } from "../../core";

/** Routes each request format to its own engine. */
export class ApiSwitchEngine implements Engine {
  constructor(
    private readonly routes: Partial<Record<ApiFormat, Engine>>,
    /** What the backend speaks, for the refusal's message. */
    private readonly apis: string[],
  ) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    const engine = this.routes[req.format];
    if (engine) return engine.process(req);
    const message = `this model's backend speaks ${this.apis.join(", ")}; converting ${req.format} requests to it is not supported yet`;
    return Promise.reject(new GatewayError("invalid_request", message, { status: 400 }));
  }
}
