// An upstream's error (the hub's: OpenAI's shape, the upstream's status) as the gateway error a Gemini client is
// answered with; the codec writes it as google.rpc.Status with the details Gemini CLI reads.
import { GatewayError, type ErrorKind } from "../../core";

type Body = Record<string, any>;

/** The gateway error for an upstream error answer of `status` with this (parsed or text) body. */
export function geminiErrorFromHub(body: Body | string, status: number, retryAfter: string | null): GatewayError {
  const e: Body = typeof body === "object" && body ? (typeof body.error === "object" && body.error ? body.error : body) : {};
  const text = typeof body === "string" ? body : "";
  const message = String(e.message ?? (text.slice(0, 500) || "upstream error")).slice(0, 2000);
  const headers: Record<string, string> = retryAfter ? { "retry-after": retryAfter } : {};
  const quota = e.code === "insufficient_quota" || e.type === "insufficient_quota";
  if (quota) headers["x-should-retry"] = "false";
  let kind: ErrorKind = "api_error";
  let out = status;
  if (status === 401 || status === 403) return new GatewayError("api_error", "the backend refused the gateway's credential", { status: 500 }); // never the client's key
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    kind = "invalid_request";
    out = status === 422 || status === 413 ? 400 : status;
  } else if (status === 429) kind = "rate_limit";
  else if (status === 408 || status === 504) kind = "timeout";
  else if (status === 503 || status === 529) {
    kind = "overloaded";
    out = 503;
  } else out = 500;
  return new GatewayError(kind, message, { status: out, headers, code: quota ? "insufficient_quota" : undefined });
}
