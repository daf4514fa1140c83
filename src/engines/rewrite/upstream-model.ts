import type { Engine, LLMRequest, LLMResponse } from "../../core";
import { codecOf } from "../../protocols";

/** Sends every request upstream under one model name (a backend's `model:`), where the request's API names it; the request given is not changed. */
export class UpstreamModelEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly model: string,
  ) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    return this.next.process({ ...req, ...codecOf(req.format).withModel(req, this.model) });
  }
}
