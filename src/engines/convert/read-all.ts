import type { LLMResponse } from "../../core";

/** The whole text of a response, from its body or by reading its stream. */
export async function readAll(res: LLMResponse): Promise<string> {
  if (res.body) return new TextDecoder().decode(res.body.bytesOut());
  if (res.stream) return new Response(res.stream).text();
  return "";
}

/** A path without its query: a client's query string (e.g. ?beta=true) means nothing to the other protocol's API. */
export function withoutQuery(path: string): string {
  const q = path.indexOf("?");
  return q < 0 ? path : path.slice(0, q);
}
