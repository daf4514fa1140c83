// A converted request goes to another API: only the client headers that mean something to that API go with it
// (content type, credentials for auth: client backends, trace context, the target protocol's own version and
// beta headers); a client's SDK and vendor headers (x-stainless-*, anthropic-dangerous-direct-browser-access,
// anthropic-beta to a chat upstream) stay behind. The backend's extra_headers are added later, by the upstream.
import type { Protocol } from "../../core";

const GENERIC = ["content-type", "accept", "user-agent", "authorization", "x-api-key", "traceparent", "tracestate", "baggage"];
const OWN: Record<Protocol, string[]> = { anthropic: ["anthropic-version", "anthropic-beta"], openai: [], google: [] };

/** The client's headers that may go to an upstream speaking `target` (a new Headers; the given one is not changed). */
export function convertedHeaders(client: Headers, target: Protocol): Headers {
  const out = new Headers();
  for (const name of [...GENERIC, ...OWN[target]]) {
    const value = client.get(name);
    if (value !== null) out.set(name, value);
  }
  return out;
}
