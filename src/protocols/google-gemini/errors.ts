// Errors as Gemini clients read them: google.rpc.Status JSON, {"error":{code, message, status, details}}. The
// details are what Gemini CLI decides retry or stop by: RetryInfo (wait, and stop past 300 s), QuotaFailure
// quota ids (PerDay: stop), ErrorInfo reasons; RequestInfo names the request.
import type { GatewayError } from "../../core";

const RPC = "type.googleapis.com/google.rpc.";

/** The canonical google.rpc.Code name of an HTTP status. */
export function rpcStatus(status: number): string {
  if (status === 400 || status === 413 || status === 422) return "INVALID_ARGUMENT";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 404) return "NOT_FOUND";
  if (status === 405) return "UNIMPLEMENTED";
  if (status === 408 || status === 504) return "DEADLINE_EXCEEDED";
  if (status === 409) return "ABORTED";
  if (status === 429) return "RESOURCE_EXHAUSTED";
  if (status === 499) return "CANCELLED";
  if (status === 501) return "UNIMPLEMENTED";
  if (status === 502 || status === 503 || status === 529) return "UNAVAILABLE";
  return "INTERNAL";
}

/** The status a Gemini client should see: 529 (Anthropic's overload) and 502 are 503 to Google's clients. */
export function geminiErrorStatus(err: GatewayError): number {
  return err.status === 529 || err.status === 502 ? 503 : err.status;
}

/** Seconds of a retry-after header value, when it is a positive number. */
function retrySeconds(err: GatewayError): number | undefined {
  const after = Number(err.headers?.["retry-after"]);
  return Number.isFinite(after) && after > 0 ? Math.ceil(after) : undefined;
}

/** The `details` of an error: why (ErrorInfo), how long to wait (RetryInfo), which quota (QuotaFailure), which request. */
function details(err: GatewayError, status: number, requestId: string | undefined): object[] {
  const out: object[] = [];
  const reason = err.code ?? (status === 401 ? "API_KEY_INVALID" : undefined);
  if (reason) out.push({ "@type": `${RPC}ErrorInfo`, reason: reason.toUpperCase(), domain: "octollm", metadata: {} });
  const wait = retrySeconds(err);
  if (status === 429) {
    // a refusal that will not pass soon (budgets, daily limits: x-should-retry false) is a daily quota, which Gemini CLI does not retry
    const daily = err.headers?.["x-should-retry"] === "false" || (wait ?? 0) > 300;
    out.push({ "@type": `${RPC}QuotaFailure`, violations: [{ quotaMetric: "octollm/requests", quotaId: daily ? "OctoLLM-PerDay" : "OctoLLM-PerMinute" }] });
  }
  if (wait !== undefined && (status === 429 || status >= 500)) out.push({ "@type": `${RPC}RetryInfo`, retryDelay: `${wait}s` });
  if (requestId) out.push({ "@type": `${RPC}RequestInfo`, requestId });
  return out;
}

/** A gateway error as a google.rpc.Status body. */
export function geminiErrorBody(err: GatewayError, requestId?: string): object {
  const status = geminiErrorStatus(err);
  return { error: { code: status, message: err.message, status: rpcStatus(status), details: details(err, status, requestId) } };
}

/** The error as one in-stream event (`data: {"error":…}`, Google's framing). */
export function geminiErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(geminiErrorBody(err))}\r\n\r\n`;
}
