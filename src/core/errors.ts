/** What went wrong, independent of the protocol that reports it. */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "method_not_allowed"
  | "request_too_large"
  | "rate_limit"
  | "api_error"
  | "upstream_unavailable"
  | "timeout"
  | "overloaded";

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_too_large: 413,
  rate_limit: 429,
  api_error: 500,
  upstream_unavailable: 502,
  timeout: 504,
  overloaded: 529,
};

/** Extra detail an error may carry into the rendered body and headers. */
export interface GatewayErrorOptions {
  status?: number;
  /** The protocol's error type string, when it should not be derived from the kind. */
  type?: string;
  param?: string;
  code?: string;
  headers?: Record<string, string>;
  /** More fields of the OpenAI error object (e.g. `resets_at`). */
  extra?: Record<string, unknown>;
  cause?: unknown;
  /** The status the upstream answered with, when this error stands for an upstream's answer (a redirect, a refused key). */
  upstreamStatus?: number;
}

/** The one error type of the gateway; the server renders it in the caller's protocol. */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly type?: string;
  readonly param?: string;
  readonly code?: string;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  readonly upstreamStatus?: number;

  constructor(kind: ErrorKind, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "GatewayError";
    this.kind = kind;
    this.status = opts.status ?? STATUS[kind];
    this.type = opts.type;
    this.param = opts.param;
    this.code = opts.code;
    this.headers = opts.headers;
    this.upstreamStatus = opts.upstreamStatus;
    this.extra = opts.extra;
  }
}

/** An upstream that could not be reached at all (connection refused or reset, DNS, TLS): no answer came. */
export class UpstreamUnreachable extends GatewayError {
  constructor(message: string, cause: unknown) {
    super("upstream_unavailable", message, { cause });
    this.name = "UpstreamUnreachable";
  }
}

/** Turns anything thrown into a GatewayError (unknown throwables become api_error). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GatewayError("api_error", `internal error: ${message}`, { cause: err });
}

/** The kind that an HTTP status stands for (used for configured denials). */
export function kindForStatus(status: number): ErrorKind {
  const exact = (Object.keys(STATUS) as ErrorKind[]).find((k) => STATUS[k] === status);
  if (exact) return exact;
  if (status === 503) return "overloaded";
  return status >= 500 ? "api_error" : "invalid_request";
}

/** Raised inside a guarded stream when the idle timeout fires. */
export class StreamIdleTimeout extends Error {
  constructor(ms: number) {
    super(`upstream stream was idle for ${ms} ms`);
    this.name = "StreamIdleTimeout";
  }
}

/** The gateway error a failed upstream stream means, the same on every route: idle is a timeout, anything else an api_error. */
export function streamFailure(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = `upstream stream failed: ${(err as Error)?.message ?? err}`;
  return new GatewayError(err instanceof StreamIdleTimeout ? "timeout" : "api_error", message, { cause: err });
}
