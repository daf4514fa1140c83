// Stored responses belong to one upstream and one tenant. When a passed-through POST /v1/responses answers, the
// gateway remembers which model (and org) the response id came from, so that GET / DELETE /v1/responses/{id},
// …/cancel and …/input_items (which carry no model) reach the same place, and never another org's response.
import { GatewayError, responseItemPath, type Engine, type LLMRequest, type LLMResponse } from "../../core";

/** Where a response id came from. */
export interface ResponseOrigin {
  org: string;
  model: string;
}

/** A bounded, expiring map of response id → origin (in memory; the oldest go first). */
export class ResponseAffinity {
  private readonly map = new Map<string, ResponseOrigin & { at: number }>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 24 * 3600_000,
  ) {}

  /** Remembers a response id. */
  record(id: string, origin: ResponseOrigin): void {
    this.map.delete(id);
    this.map.set(id, { ...origin, at: Date.now() });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  /** Where a response id came from, when it is remembered and fresh. */
  get(id: string): ResponseOrigin | undefined {
    const hit = this.map.get(id);
    if (!hit) return undefined;
    if (Date.now() - hit.at > this.ttlMs) {
      this.map.delete(id);
      return undefined;
    }
    return hit;
  }
}

/** The id a response-item path names: /v1/responses/{id}[/cancel|/input_items]. */
export function responseIdOf(path: string): string | undefined {
  return responseItemPath(path)?.id;
}

/** The 404 for a response this gateway cannot reach (unknown, another org's, or made by a converted route). */
export function responseNotFound(id: string, hint = ""): GatewayError {
  return new GatewayError("not_found", `No stored response '${id}' is known to this gateway${hint}`, { code: "response_not_found" });
}

/** Records the ids of passed-through Responses answers, and keeps item requests to their own org. */
export class ResponsesAffinityEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly affinity: ResponseAffinity,
  ) {}

  async process(req: LLMRequest): Promise<LLMResponse> {
    const org = req.ctx.caller?.org ?? "";
    if (req.format === "openai.responses.item") {
      const id = responseIdOf(req.path);
      const origin = id ? this.affinity.get(id) : undefined;
      if (!id || (origin && origin.org !== org)) throw responseNotFound(id ?? "?"); // never reveal another tenant's response
      return this.next.process(req);
    }
    const res = await this.next.process(req);
    if (req.format === "openai.responses" && res.status < 300 && res.body) {
      const id = res.body.field("id"); // a whole answer; a stream's id is not read (that would cost every stream a parse)
      if (typeof id === "string" && id.length <= 128) this.affinity.record(id, { org, model: req.ctx.route.model ?? "" });
    }
    return res;
  }
}

/** The engine for response items on a backend that stores none (converted routes): always 404. */
export class NoStoredResponsesEngine implements Engine {
  process(req: LLMRequest): Promise<LLMResponse> {
    return Promise.reject(
      responseNotFound(responseIdOf(req.path) ?? "?", ": this model's backend does not speak the Responses API and the gateway stores no responses"),
    );
  }
}
