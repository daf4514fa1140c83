// A web search service the gateway calls on a model's behalf (Brave, Tavily, SearXNG, Exa): one query in,
// a bounded list of cleaned results out. The service is the operator's, but its answers are still untrusted.
import type { SearchResult } from "../../convert";
import { readTextBounded } from "../upstream";

/** The search APIs the gateway can call. */
export type SearchProvider = "brave" | "tavily" | "searxng" | "exa";

/** How to reach a search service (a backend profile's `web_search`). */
export interface SearchConfig {
  provider: SearchProvider;
  /** The search endpoint; defaults to the provider's public API (SearXNG has none: required there). */
  url?: string;
  apiKey?: string;
  /** Results per search (default 5). */
  maxResults?: number;
  /** Time allowed for one search (default 10 s). */
  timeoutMs?: number;
  /** Most searches one client request runs, whatever its max_uses says (default 10). */
  maxPerRequest?: number;
  /** Most searches one model turn runs (default 5). */
  maxPerTurn?: number;
}

/** What one search may be limited to (Anthropic's allowed_domains / blocked_domains). */
export interface SearchScope {
  allowedDomains?: string[];
  blockedDomains?: string[];
  signal?: AbortSignal;
}

/** A search that failed (unreachable, timed out, refused): the model is told, the request goes on. */
export class SearchUnavailable extends Error {
  constructor(
    message: string,
    /** Anthropic's error_code for the result block. */
    readonly code: "unavailable" | "too_many_requests" = "unavailable",
  ) {
    super(message);
  }

  /** Any failure of a search as one (what is not one already is `unavailable`, with its message). */
  static of(err: unknown): SearchUnavailable {
    return err instanceof SearchUnavailable ? err : new SearchUnavailable(String((err as Error)?.message ?? err));
  }
}

type Body = Record<string, any>;
type Call = { url: string; init: RequestInit; results: (json: Body) => Body[]; fields: { snippet: string[]; age: string[] } };

const DEFAULT_URL: Partial<Record<SearchProvider, string>> = {
  brave: "https://api.search.brave.com/res/v1/web/search",
  tavily: "https://api.tavily.com/search",
  exa: "https://api.exa.ai/search",
};

function call(cfg: SearchConfig, query: string, n: number, scope: SearchScope): Call {
  const base = cfg.url ?? DEFAULT_URL[cfg.provider];
  if (!base) throw new SearchUnavailable(`web_search.url is required for ${cfg.provider}`);
  const json = (headers: Record<string, string>, body: object): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const key = cfg.apiKey ?? "";
  switch (cfg.provider) {
    case "brave": {
      const url = `${base}?${new URLSearchParams({ q: query, count: String(n) })}`;
      return {
        url,
        init: { headers: { accept: "application/json", "x-subscription-token": key } },
        results: (j) => j.web?.results,
        fields: { snippet: ["description"], age: ["page_age", "age"] },
      };
    }
    case "tavily": {
      const body = { query, max_results: n, include_domains: scope.allowedDomains, exclude_domains: scope.blockedDomains };
      return {
        url: base,
        init: json({ authorization: `Bearer ${key}` }, body),
        results: (j) => j.results,
        fields: { snippet: ["content"], age: ["published_date"] },
      };
    }
    case "exa": {
      const body = {
        query,
        numResults: n,
        includeDomains: scope.allowedDomains,
        excludeDomains: scope.blockedDomains,
        contents: { text: { maxCharacters: 1000 } },
      };
      return { url: base, init: json({ "x-api-key": key }, body), results: (j) => j.results, fields: { snippet: ["text", "summary"], age: ["publishedDate"] } };
    }
    case "searxng": {
      const url = `${base.replace(/\/+$/, "")}/search?${new URLSearchParams({ q: query, format: "json" })}`;
      const headers: Record<string, string> = { accept: "application/json" };
      if (key) headers.authorization = `Bearer ${key}`;
      return { url, init: { headers }, results: (j) => j.results, fields: { snippet: ["content"], age: ["publishedDate"] } };
    }
  }
}

const clip = (v: unknown, n: number) => (typeof v === "string" ? v.replace(/\s+/g, " ").trim().slice(0, n) : "");

/** Whether `host` is `domain` or one of its subdomains. */
function inDomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/^\*?\./, "");
  return host === d || host.endsWith(`.${d}`);
}

function clean(raw: Body[], fields: Call["fields"], scope: SearchScope, n: number): SearchResult[] {
  const out: SearchResult[] = [];
  for (const r of raw) {
    let url: URL;
    try {
      url = new URL(String(r?.url));
    } catch {
      continue;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") continue; // no javascript:, data:, file: links
    const host = url.hostname.toLowerCase();
    if (scope.allowedDomains?.length && !scope.allowedDomains.some((d) => inDomain(host, d))) continue;
    if (scope.blockedDomains?.some((d) => inDomain(host, d))) continue;
    const snippet = fields.snippet.map((f) => clip(r[f], 1500)).find(Boolean) ?? "";
    const age = fields.age.map((f) => clip(r[f], 64)).find(Boolean);
    out.push({ url: url.href.slice(0, 2048), title: clip(r.title, 300) || host, snippet, ...(age ? { pageAge: age } : {}) });
    if (out.length >= n) break;
  }
  return out;
}

/** Runs one search; throws SearchUnavailable when the service does not answer with results. */
export async function webSearch(cfg: SearchConfig, query: string, scope: SearchScope = {}): Promise<SearchResult[]> {
  const n = Math.min(Math.max(cfg.maxResults ?? 5, 1), 20);
  const c = call(cfg, query, n, scope);
  const timeout = AbortSignal.timeout(cfg.timeoutMs ?? 10_000);
  const signal = scope.signal ? AbortSignal.any([scope.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(c.url, { ...c.init, signal, redirect: "error" });
  } catch (err) {
    const e = err as Error;
    throw new SearchUnavailable(e?.name === "TimeoutError" ? "search service timed out" : `search service unreachable: ${e?.message ?? err}`);
  }
  const text = res.body ? await readTextBounded(res.body, 2 << 20).catch(() => "") : "";
  if (res.status === 429) throw new SearchUnavailable("search service rate limit", "too_many_requests");
  if (!res.ok) throw new SearchUnavailable(`search service answered ${res.status}`);
  let json: Body;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SearchUnavailable("search service answered with something that is not JSON");
  }
  const raw = c.results(json ?? {});
  return clean(Array.isArray(raw) ? raw : [], c.fields, scope, n);
}
