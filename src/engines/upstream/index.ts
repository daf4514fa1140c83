// The HTTP upstream engine: the leaf that talks to a real provider.
export { HttpUpstreamEngine, DEFAULT_PATHS, type HttpUpstreamOptions } from "./http-upstream";
export { upstreamRequestHeaders, clientResponseHeaders } from "./headers";
export { ConnectProbe, ConnectFailed } from "./connect-probe";
export { readTextBounded, DEFAULT_MAX_RESPONSE_BYTES } from "./answer-body";
export { UPSTREAM_FIELDS, TIMEOUT_DEFAULTS, httpUpstream, type UpstreamConfig } from "./config";
