// Upstream OpenAI-style errors → Anthropic errors (docs/conversion.md), including the context-length
// wording Claude Code parses to retry with a smaller max_tokens.

type Body = Record<string, any>;

/** An Anthropic error: status, error type and message, and extra headers. */
export interface MappedError {
  status: number;
  anthropic: { type: string; message: string };
  headers?: Record<string, string>;
}

const CONTEXT = /maximum context length|context length|context_length_exceeded|too many tokens|prompt is too long|context window/i;

/** Claude Code's wording for a context overflow, with numbers parsed from vendor messages when they are there. */
export function contextLengthMessage(message: string, maxTokens: number | undefined): string {
  const limit = Number(/maximum context length is (\d+)/i.exec(message)?.[1] ?? /context (?:length|window)(?: of| is)? (\d+)/i.exec(message)?.[1] ?? NaN);
  const requested = Number(/(?:requested|resulted in) (\d+)/i.exec(message)?.[1] ?? NaN);
  const split = /(\d+) (?:tokens )?in the messages, (\d+) in the completion/i.exec(message);
  if (Number.isFinite(limit)) {
    const output = split ? Number(split[2]) : maxTokens;
    const input = split ? Number(split[1]) : Number.isFinite(requested) && output !== undefined ? requested - output : undefined;
    if (input !== undefined && output !== undefined && input <= limit) {
      return `input length and \`max_tokens\` exceed context limit: ${input} + ${output} > ${limit}, decrease input length or \`max_tokens\` and try again`;
    }
    if (input !== undefined) return `prompt is too long: ${input} tokens > ${limit} maximum`;
  }
  return `prompt is too long: ${message}`;
}

/** Maps an upstream error (status and JSON body or text) for an Anthropic client. */
export function messagesFromChatError(body: Body | string | undefined, status: number, maxTokens?: number): MappedError {
  const e: Body = typeof body === "object" && body ? (body.error && typeof body.error === "object" ? body.error : body) : {};
  const raw = typeof body === "string" ? body.slice(0, 500) : String(e.message ?? e.msg ?? JSON.stringify(body ?? "")).slice(0, 2000);
  const code = String(e.code ?? e.type ?? "");
  if ((status === 400 || status === 413 || status === 422 || !status) && (CONTEXT.test(raw) || code === "context_length_exceeded")) {
    return { status: 400, anthropic: { type: "invalid_request_error", message: contextLengthMessage(raw, maxTokens) } };
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
  return { status: 500, anthropic: { type: "api_error", message: status === 502 ? "upstream unavailable" : `upstream: ${raw}` } };
}
