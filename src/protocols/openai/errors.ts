import { GatewayError, type ErrorKind } from "../../core";

const TYPES: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "invalid_request_error",
  permission: "invalid_request_error",
  not_found: "invalid_request_error",
  method_not_allowed: "invalid_request_error",
  request_too_large: "invalid_request_error",
  rate_limit: "requests",
  api_error: "server_error",
  upstream_unavailable: "server_error",
  timeout: "server_error",
  overloaded: "server_error",
};

const CODES: Partial<Record<ErrorKind, string>> = {
  authentication: "invalid_api_key",
  method_not_allowed: "method_not_allowed",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_exceeded",
  timeout: "timeout",
};

/** The status an OpenAI client should see: OpenAI clients do not know 529, so overload is a 503. */
export function openaiErrorStatus(err: GatewayError): number {
  return err.status === 529 ? 503 : err.status;
}

/** The `error` object of an OpenAI error: {message, type, param, code}. */
export function openaiErrorDetail(err: GatewayError): { message: string; type: string; param: string | null; code: string | null } {
  return { message: err.message, type: err.type ?? TYPES[err.kind], param: err.param ?? null, code: err.code ?? CODES[err.kind] ?? null, ...err.extra };
}

/** OpenAI error body: {"error":{"message","type","param","code"}}. */
export function openaiErrorBody(err: GatewayError): object {
  return { error: openaiErrorDetail(err) };
}

/** The error as an in-stream chunk (`data: {"error":...}`). */
export function openaiErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(openaiErrorBody(err))}\n\n`;
}

/**
 * A refusal that should not be retried soon (a budget, a daily limit) as Codex understands it on the Responses
 * API: any other 429 it retries after sleeping its retry-after (hours), silently; `usage_limit_reached` makes it
 * stop and tell the user when to try again (`resets_at`, in seconds since the epoch). Other errors are unchanged.
 */
export function asUsageLimit(err: GatewayError): GatewayError {
  if (err.status !== 429 || err.headers?.["x-should-retry"] !== "false") return err;
  const wait = Number(err.headers["retry-after"]);
  return new GatewayError(err.kind, err.message, {
    type: "usage_limit_reached",
    code: err.code ?? "rate_limit_exceeded",
    headers: err.headers,
    extra: wait > 0 ? { resets_at: Math.floor(Date.now() / 1000) + wait } : undefined,
  });
}
