import type { LLMResponse } from "../../core";

/** The whole text of a response, from its body or by reading its stream. */
export async function readAll(res: LLMResponse): Promise<string> {
  if (res.body) return new TextDecoder().decode(res.body.bytesOut());
  if (res.stream) return new Response(res.stream).text();
  return "";
}
