// Search results in the two shapes they travel in: Anthropic's web_search_tool_result block (for the client)
// and a plain text the model reads (a `tool` message), and back from the block when a later turn carries it.
type Block = Record<string, any>;

/** One search result: http(s) URL, title and excerpt, each bounded. */
export interface SearchResult {
  url: string;
  title: string;
  snippet: string;
  pageAge?: string;
}

const PREFIX = "octo1."; // marks an encrypted_content this gateway wrote (the excerpt, base64url)

/** Anthropic's web_search_tool_result block for a search's results or its failure. */
export function resultBlock(toolUseId: string, outcome: SearchResult[] | { error: string }): Block {
  if (!Array.isArray(outcome)) {
    return { type: "web_search_tool_result", tool_use_id: toolUseId, content: { type: "web_search_tool_result_error", error_code: outcome.error } };
  }
  const content = outcome.map((r) => ({
    type: "web_search_result",
    url: r.url,
    title: r.title,
    encrypted_content: PREFIX + Buffer.from(r.snippet).toString("base64url"),
    page_age: r.pageAge ?? null,
  }));
  return { type: "web_search_tool_result", tool_use_id: toolUseId, content };
}

/** What the model reads for a search: numbered results (title, URL, date, excerpt), or why there are none. */
export function resultText(query: string, outcome: SearchResult[] | { error: string; message: string }): string {
  if (!Array.isArray(outcome)) return `Web search for "${query}" failed (${outcome.error}): ${outcome.message}`;
  if (outcome.length === 0) return `Web search for "${query}" found nothing.`;
  const lines = outcome.map((r, i) =>
    [`[${i + 1}] ${r.title}`, `URL: ${r.url}`, r.pageAge ? `Published: ${r.pageAge}` : "", r.snippet].filter(Boolean).join("\n"),
  );
  return `Web search results for "${query}":\n\n${lines.join("\n\n")}`;
}

function excerpt(encrypted: unknown): string {
  if (typeof encrypted !== "string" || !encrypted.startsWith(PREFIX)) return "";
  return Buffer.from(encrypted.slice(PREFIX.length), "base64url").toString("utf8").slice(0, 1500);
}

/** A web_search_tool_result block from an earlier turn as text for the model (Anthropic's own results: titles and URLs). */
export function resultBlockText(b: Block): string {
  if (!Array.isArray(b.content)) return `[web search failed: ${b.content?.error_code ?? "error"}]`;
  const lines = (b.content as Block[])
    .filter((r) => r?.type === "web_search_result")
    .map((r, i) => [`[${i + 1}] ${String(r.title ?? "")}`, `URL: ${String(r.url ?? "")}`, excerpt(r.encrypted_content)].filter(Boolean).join("\n"));
  return lines.length ? `[web search results]\n${lines.join("\n\n")}` : "[web search found nothing]";
}
