// Header hygiene between client, gateway and upstream.

/** Request headers that never go upstream: hop-by-hop, framing, and the client's own credentials. */
const DROP_REQUEST = new Set([
  "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
  "te", "trailer", "transfer-encoding", "upgrade", "content-length", "expect",
  "authorization", "x-api-key", "cookie", "api-key",
]);

/** Response headers that never go back to the client: hop-by-hop, framing the server redoes, cookies. */
const DROP_RESPONSE = new Set([
  "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer", "transfer-encoding",
  "upgrade", "set-cookie", "set-cookie2",
]);

/** Copies client headers that may reach the upstream. */
export function upstreamRequestHeaders(client: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of client) if (!DROP_REQUEST.has(name)) out.set(name, value);
  return out;
}

/** Copies upstream response headers that may reach the client. */
export function clientResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of upstream) if (!DROP_RESPONSE.has(name)) out.append(name, value);
  return out;
}
