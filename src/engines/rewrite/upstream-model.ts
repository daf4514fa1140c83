import type { Engine, LLMRequest, LLMResponse } from "../../core";

/** Sends every request upstream under one model name (a backend's `model:`); the request it was given is not changed. */
export class UpstreamModelEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly model: string,
  ) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    return this.next.process({ ...req, body: req.body.withField("model", this.model) });
  }
}
