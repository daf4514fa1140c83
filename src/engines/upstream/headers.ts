// Header hygiene between client, gateway and upstream.

/**
 * Request headers that never go upstream: hop-by-hop, framing, the client's own credentials (of any vendor),
 * and the account selectors that would bill the gateway's key to another organisation or project (set them
 * with extra_headers when a backend needs them).
 */
const DROP_REQUEST = [
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "expect",
  "authorization",
  "x-api-key",
  "x-octollm-key",
  "cookie",
  "api-key",
  "x-goog-api-key",
  "openai-organization",
  "openai-project",
];

/** Response headers that never go back to the client: hop-by-hop, framing the server redoes, cookies, the upstream account's identity. */
const DROP_RESPONSE = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "set-cookie",
  "set-cookie2",
  "openai-organization",
  "openai-project",
  "anthropic-organization-id",
  // answers reach the client decoded and re-framed by the server
  "content-encoding",
  "content-length",
];

/** The client's own credentials, forwarded only to a backend with `auth: client`. */
export const CLIENT_CREDENTIAL_HEADERS = ["authorization", "x-api-key"] as const;

/** Copies client headers that may reach the upstream. */
export function upstreamRequestHeaders(client: Headers): Headers {
  return without(client, DROP_REQUEST);
}

/** Copies upstream response headers that may reach the client. */
export function clientResponseHeaders(upstream: Headers): Headers {
  return without(upstream, DROP_RESPONSE);
}

/**
 * A copy of `headers` without the named ones, nor the hop-by-hop ones that its `Connection` header names
 * (a native copy and a few deletes beat a JS loop over entries).
 */
function without(headers: Headers, names: readonly string[]): Headers {
  const out = new Headers(headers);
  const connection = headers.get("connection");
  if (connection) {
    for (const name of connection.split(",")) {
      const n = name.trim();
      if (n)
        try {
          out.delete(n);
        } catch {
          /* not a header name */
        }
    }
  }
  for (const name of names) out.delete(name);
  return out;
}
