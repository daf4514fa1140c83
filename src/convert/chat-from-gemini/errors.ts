// A Gemini backend's error (google.rpc.Status, as an object or a one-element array) as the hub's: OpenAI's error
// shape with a status, and the wait RetryInfo gives as retry-after. A bad key (400 API_KEY_INVALID) is the 401 it
// means; a daily quota is insufficient_quota, which clients do not retry.
type Body = Record<string, any>;

/** The hub error for a Gemini error body of HTTP `status`. */
export function hubErrorOfGemini(body: Body | string, status: number): { status: number; body: Body; headers: Record<string, string> } {
  const root = Array.isArray(body) ? body[0] : body;
  const e: Body = root && typeof root === "object" && root.error && typeof root.error === "object" ? root.error : {};
  const message = String(e.message ?? (typeof body === "string" ? body.slice(0, 500) : "") ?? "").slice(0, 2000) || `upstream error ${status}`;
  const details: Body[] = Array.isArray(e.details) ? e.details : [];
  const of = (type: string) => details.find((d) => String(d?.["@type"] ?? "").endsWith(type));
  const headers: Record<string, string> = {};
  const delay = /^(\d+(?:\.\d+)?)s$/.exec(String(of("RetryInfo")?.retryDelay ?? ""))?.[1];
  if (delay) headers["retry-after"] = String(Math.ceil(Number(delay)));
  if (of("ErrorInfo")?.reason === "API_KEY_INVALID")
    return { status: 401, body: { error: { message, type: "authentication_error", code: "invalid_api_key" } }, headers };
  if (status === 429) {
    const quotaIds = (of("QuotaFailure")?.violations ?? []).map((v: Body) => String(v?.quotaId ?? "")).join(" ");
    const daily = /PerDay|Daily/.test(quotaIds) || Number(delay ?? 0) > 300;
    const code = daily ? "insufficient_quota" : "rate_limit_exceeded";
    return { status, body: { error: { message, type: daily ? "insufficient_quota" : "requests", code } }, headers };
  }
  const code = /exceeds the maximum number of tokens/i.test(message) ? "context_length_exceeded" : (e.status ?? null);
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  return { status, body: { error: { message, type, param: null, code } }, headers };
}
