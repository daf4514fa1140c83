import { LazyBody, type LLMResponse } from "../../core";
import { readTextBounded } from "../upstream";

/** The whole text of a response, from its body or by reading its stream (bounded: an endless error stream is a 502). */
export async function readAll(res: LLMResponse): Promise<string> {
  if (res.body) return new TextDecoder().decode(res.body.bytesOut());
  if (res.stream) return readTextBounded(res.stream.readable());
  return "";
}

/** A path without its query: a client's query string (e.g. ?beta=true) means nothing to the other protocol's API. */
export function withoutQuery(path: string): string {
  const q = path.indexOf("?");
  return q < 0 ? path : path.slice(0, q);
}

/** The upstream's retry advice, kept on a converted error answer (the SDKs read both). */
const RETRY_HEADERS = ["retry-after", "x-should-retry", "retry-after-ms"];

/** A converted error answer that keeps what the upstream's said beyond its body: its own status and its retry advice. */
export function convertedError(out: LLMResponse, upstream: LLMResponse): LLMResponse {
  for (const h of RETRY_HEADERS) {
    const value = upstream.headers.get(h);
    if (value) out.headers.set(h, value);
  }
  return { ...out, upstreamStatus: upstream.upstreamStatus ?? upstream.status };
}

/** Headers of a converted event stream. */
export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };

/** A JSON answer made by a converter. */
export function jsonAnswer(status: number, value: object): LLMResponse {
  return { status, headers: new Headers({ "content-type": "application/json" }), body: LazyBody.fromValue(value) };
}

/** An upstream error answer's body: its JSON, or its text when it is not JSON. */
export async function readErrorBody(res: LLMResponse): Promise<Record<string, any> | string> {
  const text = await readAll(res);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
