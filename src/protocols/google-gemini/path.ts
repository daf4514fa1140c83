// Where a Gemini call names its model and method: POST /{v}/models/{name}:{method}. The method is the text after
// the last ":" (a name may hold ":", "/", "@" and "."); the name is percent-decoded once.
import { GatewayError, type ApiFormat } from "../../core";

/** The Gemini API versions served, all the same way. */
export const GEMINI_VERSIONS = ["v1beta", "v1", "v1alpha"] as const;

/** The methods served, and the request format of each. */
const METHODS: Readonly<Record<string, ApiFormat>> = {
  generateContent: "gemini.generate",
  streamGenerateContent: "gemini.stream",
  countTokens: "gemini.count_tokens",
};

/** The parts of a Gemini call's path. */
export interface GeminiCall {
  /** The API version segment (v1beta, v1, v1alpha). */
  version: string;
  /** The model name, decoded (the model key the config is matched against). */
  model: string;
  /** The request format its method is. */
  format: ApiFormat;
  /** The method as written in the path. */
  method: string;
}

const MAX_NAME = 256;

/** Reads `/{v}/models/{name}:{method}[?query]`; a path that is not one, or names an unserved method or a bad name, throws (404 / 400). */
export function geminiCall(path: string): GeminiCall {
  const bare = path.split("?")[0]!;
  const m = /^\/(v1beta|v1|v1alpha)\/models\/(.+)$/.exec(bare);
  if (!m) throw new GatewayError("not_found", `no route for ${bare.slice(0, 200)}`, { code: "not_found" });
  const at = m[2]!.lastIndexOf(":");
  const method = at < 0 ? "" : m[2]!.slice(at + 1);
  const format = METHODS[method];
  if (!format) throw new GatewayError("not_found", `method ${method.slice(0, 64) || "(none)"} is not served by this gateway`, { code: "not_found" });
  let model: string;
  try {
    model = decodeURIComponent(m[2]!.slice(0, at));
  } catch {
    throw new GatewayError("invalid_request", "the model name in the path is not valid percent-encoding", { param: "model" });
  }
  if (!model || model.length > MAX_NAME || /[\x00-\x1f\x7f]/.test(model))
    throw new GatewayError("invalid_request", "the model name in the path must be 1 to 256 characters without control characters", { param: "model" });
  return { version: m[1]!, model: pathModel(model), format, method };
}

/** The request format a Gemini path's method names (the text after its last ":"), or undefined when none is served there; the name is checked later. */
export function geminiFormat(path: string): ApiFormat | undefined {
  const bare = path.split("?")[0]!;
  if (!/^\/(v1beta|v1|v1alpha)\/models\/./.test(bare)) return undefined;
  return METHODS[bare.slice(bare.lastIndexOf(":") + 1)];
}

/** The path with the model name replaced (the backend's name), slashes kept literally; the query is kept. */
export function withPathModel(path: string, model: string): string {
  const q = path.indexOf("?");
  const bare = q < 0 ? path : path.slice(0, q);
  const call = geminiCall(bare);
  return `/${call.version}/models/${pathModel(model)}:${call.method}${q < 0 ? "" : path.slice(q)}`;
}

/**
 * A model name that may stand in an upstream Gemini path as it is: letters, digits and `._@:/-` (tuned models
 * have slashes), no `..` segment. Anything else (a client's `../../files`, a `?` or `#`) would point the
 * operator's key at another URL: a 400.
 */
export function pathModel(model: string): string {
  if (!/^[A-Za-z0-9._@:/-]{1,256}$/.test(model) || model.split("/").some((seg) => seg === ".." || seg === "."))
    throw new GatewayError("invalid_request", `the model name ${JSON.stringify(model.slice(0, 64))} cannot name a Gemini model`, { param: "model" });
  return model;
}

/**
 * Gemini clients send their key as `x-goog-api-key` or `?key=`: it moves to `x-api-key` (unless a key already came
 * there or as a bearer token), where the gateway looks for its keys; an empty one (Gemini CLI in gateway mode) is no
 * key. The header goes, and the query parameter leaves the path, so the key reaches neither a log nor an upstream.
 */
export function geminiClientAuth(headers: Headers, path: string): { headers: Headers; path: string } {
  const q = path.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : path.slice(q + 1));
  if (!headers.has("x-goog-api-key") && !params.has("key")) return { headers, path };
  const key = headers.get("x-goog-api-key")?.trim() || params.get("key")?.trim() || "";
  const out = new Headers(headers);
  out.delete("x-goog-api-key");
  if (key && !out.has("x-api-key") && !out.has("authorization")) out.set("x-api-key", key);
  params.delete("key");
  const query = params.toString();
  return { headers: out, path: (q < 0 ? path : path.slice(0, q)) + (query ? `?${query}` : "") };
}

/** An upstream path template with {model} (checked) and {version} (the client's, else v1beta) filled in. */
export function fillGeminiPath(template: string, path: string, model: string): string {
  const version = /^\/(v1beta|v1|v1alpha)\//.exec(path)?.[1] ?? "v1beta";
  return template.replaceAll("{model}", () => pathModel(model)).replaceAll("{version}", version);
}

/** A Gemini client: its paths (v1beta, v1alpha, a method after ":"), its headers (the SDK's, even empty), or its query keys. */
export function isGeminiCaller(headers: Headers, path: string): boolean {
  if (/^\/(v1beta|v1alpha)\//.test(path) || /^\/v1\/models\/[^?]*:/.test(path)) return true;
  if (headers.has("x-goog-api-key") || headers.has("x-goog-api-client")) return true;
  return /[?&](key|pageSize|pageToken)=/.test(path);
}
