// `profile.web_search`: the search service a chat backend uses to run Anthropic's web_search server tool, and its
// bounds; its schema, and the service settings it makes.
import * as v from "valibot";
import { httpUrl, secret } from "../../core/config-fields";
import type { SearchConfig } from "./search-service";

/** `profile.web_search`: the search API, its key and the bounds on what one request may search. */
export const WebSearchSchema = v.pipe(
  v.strictObject({
    provider: v.pipe(v.picklist(["brave", "tavily", "searxng", "exa"]), v.description("The search API")),
    url: v.optional(httpUrl("The search endpoint (default: the provider's public API; required for searxng)")),
    api_key: secret("The search service's key (not needed by searxng)"),
    max_results: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20), v.description("Results per search (default 5)"))),
    timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(120_000), v.description("Time allowed for one search (default 10000)"))),
    max_searches_per_request: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.maxValue(100),
        v.description("Most searches one client request runs, whatever max_uses says (default 10)"),
      ),
    ),
    max_searches_per_turn: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.maxValue(20),
        v.description("Most searches one model turn runs (default 5); the rest are answered max_uses_exceeded"),
      ),
    ),
  }),
  v.description("api: openai-chat: a search service, so that the gateway runs Anthropic's web_search server tool for the model"),
);

/** The search service of a profile's web_search, in the engine's terms (undefined: none). */
export function searchConfig(ws: v.InferOutput<typeof WebSearchSchema> | undefined): SearchConfig | undefined {
  return (
    ws && {
      provider: ws.provider,
      url: ws.url,
      apiKey: ws.api_key,
      maxResults: ws.max_results,
      timeoutMs: ws.timeout_ms,
      maxPerRequest: ws.max_searches_per_request,
      maxPerTurn: ws.max_searches_per_turn,
    }
  );
}
