// Google Search for Gemini clients on other backends: the request's query searched on the gateway's search service
// (profile.web_search), the results put before the model as numbered sources, and the answer grounded in them
// (groundingMetadata, which Gemini CLI's google_web_search tool turns into its "Sources:" list).
import type { HubRequest } from "../../protocols/openai-chat/hub";
import { type SearchResult, resultText } from "../web-search";

type Body = Record<string, any>;

/** The most characters of a query sent to the search service. */
const MAX_QUERY = 400;

/** What to search for: the text of the last user message (Gemini CLI sends the query alone). */
export function searchQuery(hub: HubRequest): string {
  const last = [...hub.messages].reverse().find((m) => m.role === "user");
  const content = last?.content;
  const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => (p?.type === "text" ? p.text : "")).join(" ") : "";
  return text.replace(/\s+/g, " ").trim().slice(0, MAX_QUERY);
}

/** The hub request with the search results as a system message after the client's own, and how to cite them. */
export function withSearchResults(hub: HubRequest, query: string, results: SearchResult[]): HubRequest {
  return withNote(hub, `${resultText(query, results)}\n\nAnswer from these results where they help, citing them as [n].`);
}

function withNote(hub: HubRequest, note: string): HubRequest {
  const at = hub.messages.findIndex((m) => m.role !== "system");
  const messages = [...hub.messages];
  messages.splice(at < 0 ? messages.length : at, 0, { role: "system", content: note });
  return { ...hub, messages };
}

/** The hub request with why the search found nothing, so the model says so rather than invent sources. */
export function withSearchFailure(hub: HubRequest, query: string, error: string, message: string): HubRequest {
  return withNote(hub, `${resultText(query, { error, message })}\n\nTell the user the search failed; do not invent sources.`);
}

/** The answer's groundingMetadata: the query and one web chunk per result, in their numbered order. */
export function groundingMetadata(query: string, results: SearchResult[]): Body {
  return { webSearchQueries: [query], groundingChunks: results.map((r) => ({ web: { uri: r.url, title: r.title } })) };
}
