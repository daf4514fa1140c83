import { GatewayError, type Engine, type LLMRequest, type LLMResponse } from "../../core";

/** Reads the requested model (a top-level scan, no full parse) and hands the request to that model's engine. */
export class ModelRouterEngine implements Engine {
  constructor(private readonly models: ReadonlyMap<string, Engine>) {}

  /** The model names this router serves, in config order. */
  get modelNames(): string[] {
    return [...this.models.keys()];
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const model = req.body.field("model");
    if (model === undefined || model === null || model === "") {
      throw new GatewayError("invalid_request", "model: field required", { param: "model", code: "model_not_found" });
    }
    if (typeof model !== "string") throw new GatewayError("invalid_request", "model: expected a string", { param: "model" });
    req.ctx.route.model = model;
    const engine = this.models.get(model);
    if (!engine) throw new GatewayError("not_found", `model: ${model} is not served here`, { param: "model", code: "model_not_found" });
    return engine.process(req);
  }
}
