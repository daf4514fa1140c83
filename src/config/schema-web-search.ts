// The search service a chat backend uses to run Anthropic's web_search server tool, and its bounds.
import * as v from "valibot";
import { httpUrl, secret } from "./schema-fields";

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
