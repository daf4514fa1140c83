// A request that reads or continues a stored response (GET/DELETE /v1/responses/{id}, …/cancel, …/input_items, or
// previous_response_id) reaches it only when the caller's org created it: an unknown id and another org's both get
// 404 response_not_found, before anything is sent. It then goes to the backend that stores it, and a continuation
// reserves the stored tokens it will be billed again.
import type { LLMRequest } from "../../core";
import { responseIdOf, responseNotFound, type ResponseOwners } from "../responses";

/** True when a request reads or continues a stored response (checked without waiting: most requests do not). */
export function namesStoredResponse(req: LLMRequest): boolean {
  if (req.format === "openai.responses.item") return true;
  if (req.format !== "openai.responses" && req.format !== "openai.responses.compact") return false;
  const prev = req.body.field("previous_response_id");
  return prev !== undefined && prev !== null;
}

/** The stored response's tokens (0 when the request names none); throws 404 for an unknown or another org's id. */
export async function storedResponse(req: LLMRequest, owners: ResponseOwners, model: string): Promise<number> {
  let id: string | undefined;
  if (req.format === "openai.responses.item") id = responseIdOf(req.path) ?? "?";
  else if (req.format === "openai.responses" || req.format === "openai.responses.compact") {
    const prev = req.body.field("previous_response_id");
    if (prev === undefined || prev === null) return 0;
    id = typeof prev === "string" ? prev.slice(0, 256) : "?";
  }
  if (id === undefined) return 0;
  const origin = await owners.get(id);
  if (!origin || origin.org !== (req.ctx.caller?.org ?? "")) throw responseNotFound(id); // never reveal another tenant's response
  if (origin.model === model && origin.backend !== undefined) req.ctx.route.backend = origin.backend;
  return origin.tokens ?? 0;
}
