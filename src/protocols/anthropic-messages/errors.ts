import type { ErrorKind, GatewayError } from "../../core";

const TYPES: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  method_not_allowed: "invalid_request_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  api_error: "api_error",
  upstream_unavailable: "api_error",
  timeout: "timeout_error",
  overloaded: "overloaded_error",
};

/**
 * The status an Anthropic client should see: "upstream unavailable" is a 500 api_error (Anthropic's API lists no
 * 502), except when no backend could be reached at all: that 502 says so plainly, with x-should-retry: false.
 */
export function anthropicErrorStatus(err: GatewayError): number {
  return err.kind === "upstream_unavailable" && err.status === 502 && err.code !== "upstream_unreachable" ? 500 : err.status;
}

/** The `error` object of an Anthropic error: {type, message}. */
export function anthropicErrorDetail(err: GatewayError): { type: string; message: string } {
  return { type: err.type ?? TYPES[err.kind], message: err.message };
}

/** Anthropic error body: {"type":"error","error":{"type","message"},"request_id"}. */
export function anthropicErrorBody(err: GatewayError, requestId: string): object {
  return { type: "error", error: anthropicErrorDetail(err), request_id: requestId };
}

/** The error as an in-stream SSE event (`event: error`). */
export function anthropicErrorEvent(err: GatewayError): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: anthropicErrorDetail(err) })}\n\n`;
}
