// Upstream OpenAI-style errors → Anthropic errors (docs/conversion.md), including the context-length
// wording Claude Code parses to retry with a smaller max_tokens.
import { claudeContextMessage, isContextOverflow, readContextOverflow } from "../context-errors";

type Body = Record<string, any>;

/** An Anthropic error: status, error type and message, and extra headers. */
export interface MappedError {
  status: number;
  anthropic: { type: string; message: string };
  headers?: Record<string, string>;
}

/** The message of an error given as a string (`{"error": "…"}`: Ollama, TGI). */
const stringError = (body: Body | undefined) => (typeof body?.error === "string" ? body.error : undefined);

/** Statuses a context overflow comes with (0 and 200: an error object in a successful answer or a stream). */
const CONTEXT_STATUSES = new Set([0, 200, 400, 413, 422]);

const STATUS_OF_CODE: Record<string, number> = {
  rate_limit_exceeded: 429,
  rate_limit_error: 429,
  insufficient_quota: 429,
  context_length_exceeded: 400,
  exceed_context_size_error: 400,
  invalid_request_error: 400,
  authentication_error: 401,
  invalid_api_key: 401,
  permission_error: 403,
  not_found_error: 404,
  model_not_found: 404,
  overloaded_error: 529,
  server_error: 500,
};

/**
 * The HTTP status an error object sent inside a successful answer (HTTP 200, or an SSE chunk) stands for:
 * its numeric `code` (OpenRouter's), else what its code or type names, else 500.
 */
export function inBandErrorStatus(body: Body): number {
  const e: Body = body.error && typeof body.error === "object" ? body.error : body;
  const numeric = Number(e.code ?? e.status);
  if (Number.isInteger(numeric) && numeric >= 400 && numeric < 600) return numeric;
  const named = STATUS_OF_CODE[String(e.code ?? "")] ?? STATUS_OF_CODE[String(e.type ?? "")];
  return named ?? (isContextOverflow(String(e.message ?? ""), []) ? 400 : 500);
}

/** Maps an upstream error (status and JSON body or text) for an Anthropic client. */
export function messagesFromChatError(body: Body | string | undefined, status: number, maxTokens?: number, inputEstimate?: number): MappedError {
  const e: Body = typeof body === "object" && body ? (body.error && typeof body.error === "object" ? body.error : body) : {};
  const raw = typeof body === "string" ? body.slice(0, 500) : String(e.message ?? e.msg ?? stringError(body) ?? JSON.stringify(body ?? "")).slice(0, 2000);
  const code = String(e.code ?? e.type ?? "");
  if ((CONTEXT_STATUSES.has(status) || e.type === "exceed_context_size_error") && isContextOverflow(raw, [e.code, e.type])) {
    const message = claudeContextMessage(readContextOverflow(raw, e), maxTokens, inputEstimate, raw);
    return { status: 400, anthropic: { type: "invalid_request_error", message } };
  }
  if (status === 429 && (code === "insufficient_quota" || /quota/i.test(raw))) {
    return { status: 402, anthropic: { type: "billing_error", message: `upstream: ${raw}` }, headers: { "x-should-retry": "false" } };
  }
  if (status === 429) return { status: 429, anthropic: { type: "rate_limit_error", message: `upstream: ${raw}` } };
  if (status === 400 || status === 422) return { status: 400, anthropic: { type: "invalid_request_error", message: `upstream: ${raw}` } };
  if (status === 401) return { status: 500, anthropic: { type: "api_error", message: `upstream authentication failed: ${raw}` } };
  if (status === 403) return { status: 403, anthropic: { type: "permission_error", message: `upstream: ${raw}` } };
  if (status === 404) return { status: 404, anthropic: { type: "not_found_error", message: `upstream: ${raw}` } };
  if (status === 408 || status === 504) return { status: 504, anthropic: { type: "timeout_error", message: `upstream: ${raw}` } };
  if (status === 413) return { status: 413, anthropic: { type: "request_too_large", message: `upstream: ${raw}` } };
  if (status === 503 || status === 529 || /overloaded|too busy/i.test(raw))
    return { status: 529, anthropic: { type: "overloaded_error", message: `upstream: ${raw}` } };
  if (code === "rate_limit_exceeded") return { status: 429, anthropic: { type: "rate_limit_error", message: `upstream: ${raw}` } };
  return { status: 500, anthropic: { type: "api_error", message: status === 502 ? `upstream unavailable: ${raw}` : `upstream: ${raw}` } };
}
