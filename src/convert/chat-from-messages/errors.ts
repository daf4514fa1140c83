// Upstream Anthropic errors → OpenAI errors (docs/conversion.md).

type Body = Record<string, any>;

/** An OpenAI error: status, body fields, extra headers. */
export interface MappedChatError {
  status: number;
  openai: { message: string; type: string; param: string | null; code: string | null };
  headers?: Record<string, string>;
}

const CONTEXT = /prompt is too long|exceed context limit|context window/i;

/** Maps an Anthropic error body (or text) with its HTTP status for an OpenAI client. */
export function chatFromMessagesError(body: Body | string | undefined, status: number): MappedChatError {
  const e: Body = typeof body === "object" && body ? (body.error ?? body) : {};
  const type = String(e.type ?? "");
  const message = typeof body === "string" ? body.slice(0, 500) : String(e.message ?? "upstream error");
  const err = (s: number, t: string, code: string | null = null): MappedChatError => ({ status: s, openai: { message, type: t, param: null, code } });
  switch (type || statusType(status)) {
    case "invalid_request_error":
      return CONTEXT.test(message) ? err(400, "invalid_request_error", "context_length_exceeded") : err(400, "invalid_request_error");
    case "authentication_error":
      return { ...err(500, "server_error"), openai: { message: "upstream authentication failed", type: "server_error", param: null, code: null } };
    case "permission_error":
      return err(403, "invalid_request_error", "permission_denied");
    case "not_found_error":
      return err(404, "invalid_request_error", "model_not_found");
    case "request_too_large":
      return err(413, "invalid_request_error", "request_too_large");
    case "rate_limit_error":
      return err(429, "requests", "rate_limit_exceeded");
    case "billing_error":
      return err(429, "insufficient_quota", "insufficient_quota");
    case "timeout_error":
      return err(504, "server_error", "timeout");
    case "overloaded_error":
      return err(503, "server_error");
    default:
      return err(status >= 400 && status < 600 && status !== 529 ? Math.min(status, 500) : status === 529 ? 503 : 500, "server_error");
  }
}

function statusType(status: number): string {
  return (
    {
      400: "invalid_request_error",
      401: "authentication_error",
      403: "permission_error",
      404: "not_found_error",
      413: "request_too_large",
      429: "rate_limit_error",
      504: "timeout_error",
      529: "overloaded_error",
    }[status] ?? "api_error"
  );
}
