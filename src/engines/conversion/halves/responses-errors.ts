// Errors as a Responses client (Codex) acts on them: an upstream's HTTP error, and a failure the converted stream
// ended with before anything reached a non-streaming client.
import type { LLMResponse } from "../../../core";
import { isContextOverflow, type ResponsesFailure } from "../../../convert";
import { convertedError, jsonAnswer, readErrorBody } from "../read-all";

type Body = Record<string, any>;

const STATUS_OF_FAILURE: Record<string, number> = { context_length_exceeded: 400, rate_limit_exceeded: 429, insufficient_quota: 429, invalid_prompt: 400 };

/** A failure before anything was sent to a non-streaming client: an HTTP error in OpenAI's shape. */
export function failedAnswer(f: ResponsesFailure): LLMResponse {
  const status = STATUS_OF_FAILURE[f.code] ?? 500;
  const type =
    status === 429 ? (f.code === "insufficient_quota" ? "insufficient_quota" : "requests") : status === 400 ? "invalid_request_error" : "server_error";
  return jsonAnswer(status, {
    error: { message: f.message, type, param: f.code === "context_length_exceeded" ? "input" : null, code: f.code === "server_error" ? null : f.code },
  });
}

/** An upstream HTTP error as the error a Responses client (Codex) acts on. */
export async function responsesError(res: LLMResponse): Promise<LLMResponse> {
  const body = await readErrorBody(res);
  const parsed: Body | undefined = typeof body === "object" ? body : undefined;
  const text = typeof body === "string" ? body : "";
  const e: Body = parsed?.error && typeof parsed.error === "object" ? parsed.error : (parsed ?? {});
  const message = String(e.message ?? (typeof parsed?.error === "string" ? parsed.error : text.slice(0, 500)) ?? "upstream error").slice(0, 2000);
  const code = String(e.code ?? "");
  const s = res.status;
  let out: LLMResponse;
  if ((s === 400 || s === 413 || s === 422) && isContextOverflow(message, [e.code, e.type])) {
    out = jsonAnswer(400, { error: { message, type: "invalid_request_error", param: "input", code: "context_length_exceeded" } });
  } else if (s === 429 && (code === "insufficient_quota" || /quota/i.test(message))) {
    out = jsonAnswer(429, { error: { message, type: "insufficient_quota", param: null, code: "insufficient_quota" } });
  } else if (s === 429) {
    const after = Number(res.headers.get("retry-after"));
    const hint = Number.isFinite(after) && after > 0 && !/try again in/i.test(message) ? ` Please try again in ${Math.ceil(after)}s.` : "";
    out = jsonAnswer(429, { error: { message: `${message}${hint}`, type: "requests", param: null, code: "rate_limit_exceeded" } });
  } else if (s === 400 || s === 422 || s === 404 || s === 403 || s === 413) {
    out = jsonAnswer(s === 422 ? 400 : s, {
      error: { message: `upstream: ${message}`, type: "invalid_request_error", param: e.param ?? null, code: e.code ?? null },
    });
  } else {
    const status = s === 503 || s === 529 ? 503 : s === 504 || s === 408 ? 504 : 500; // Codex retries these (never server_is_overloaded: fatal to it)
    out = jsonAnswer(status, { error: { message: `upstream: ${message}`, type: "server_error", param: null, code: null } });
  }
  return convertedError(out, res);
}
