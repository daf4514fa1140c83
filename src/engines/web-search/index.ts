// Web search the gateway runs for models on backends without it.
export { webSearch, SearchUnavailable, type SearchConfig, type SearchProvider, type SearchScope } from "./search-service";
export { WebSearchSchema, searchConfig } from "./config";
