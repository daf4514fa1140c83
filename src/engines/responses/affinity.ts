// Stored responses belong to one upstream and one tenant. When a passed-through POST /v1/responses answers (whole
// or streamed), the gateway records which org, model and backend the response id came from and the tokens it
// holds, so that GET / DELETE /v1/responses/{id}, …/cancel, …/input_items and previous_response_id (checked by the
// model before anything is sent) reach the same backend, and never another org's response.
import { GatewayError, responseItemPath, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { bodyUsage } from "../../protocols";
import type { ResponseOwners } from "./owners";

/** The id a response-item path names: /v1/responses/{id}[/cancel|/input_items]. */
export function responseIdOf(path: string): string | undefined {
  return responseItemPath(path)?.id;
}

/** The 404 for a response this gateway cannot reach (unknown, another org's, or made by a converted route). */
export function responseNotFound(id: string, hint = ""): GatewayError {
  return new GatewayError("not_found", `No stored response '${id}' is known to this gateway${hint}`, { code: "response_not_found" });
}

/** Records the owner of every passed-through Responses answer, whole or streamed. */
export class ResponsesAffinityEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly owners: ResponseOwners,
  ) {}

  async process(req: LLMRequest): Promise<LLMResponse> {
    const res = await this.next.process(req);
    if (req.format !== "openai.responses" || res.status >= 300) return res;
    const origin = { org: req.ctx.caller?.org ?? "", model: req.ctx.route.model ?? "", backend: req.ctx.upstream.backend };
    if (res.body) {
      const id = res.body.field("id");
      const usage = bodyUsage(res.body.bytesOut());
      if (typeof id === "string" && id.length <= 128) this.owners.record(id, { ...origin, tokens: usage && usage.input + usage.output });
      return res;
    }
    if (!res.stream) return res;
    // a stream's id is in its first event: the meter kept it, and the owner is recorded however the stream ends
    return {
      ...res,
      stream: res.stream.onEnd((o) => {
        if (o.responseId) this.owners.record(o.responseId, { ...origin, tokens: o.usage && o.usage.input + o.usage.output });
      }),
    };
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
