// A request that reads or continues a stored response (GET/DELETE /v1/responses/{id}, …/cancel, …/input_items, or
// previous_response_id) reaches it only when the caller's org created it: an unknown id and another org's both get
// 404 response_not_found, before anything is sent. It then goes to the backend that stores it, and a continuation
// reserves the stored tokens it will be billed again.
import type { LLMRequest } from "../../core";
import { responseIdOf, responseNotFound, type ResponseOwners } from "../responses";

/** The stored response a request reads or continues, if any (found without waiting: most requests name none). */
export function storedResponseId(req: LLMRequest): string | undefined {
  if (req.format === "openai.responses.item") return responseIdOf(req.path) ?? "?";
  if (req.format !== "openai.responses" && req.format !== "openai.responses.compact") return undefined;
  const prev = req.body.field("previous_response_id");
  if (prev === undefined || prev === null) return undefined;
  return typeof prev === "string" ? prev.slice(0, 256) : "?";
}

/** The stored response's tokens; throws 404 for an unknown or another org's id. */
export async function storedResponse(req: LLMRequest, id: string, owners: ResponseOwners, model: string): Promise<number> {
  const origin = await owners.get(id);
  if (!origin || origin.org !== (req.ctx.caller?.org ?? "")) throw responseNotFound(id); // never reveal another tenant's response
  if (origin.model === model && origin.backend !== undefined) req.ctx.route.backend = origin.backend;
  return origin.tokens ?? 0;
}
