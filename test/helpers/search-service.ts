// A scripted web search service on 127.0.0.1 that answers in the shape of the API its path names:
// /brave (Brave), /tavily (Tavily), /exa (Exa), /searxng/search (SearXNG).

/** One result as the test scripts it. */
export interface ScriptedResult {
  title: string;
  url: string;
  text: string;
  date?: string;
}

/** A search the service received. */
export interface SeenSearch {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: any;
}

function shaped(path: string, results: ScriptedResult[]): object {
  if (path.startsWith("/brave")) return { web: { results: results.map((r) => ({ title: r.title, url: r.url, description: r.text, page_age: r.date })) } };
  if (path.startsWith("/tavily")) return { results: results.map((r) => ({ title: r.title, url: r.url, content: r.text, published_date: r.date })) };
  if (path.startsWith("/exa")) return { results: results.map((r) => ({ title: r.title, url: r.url, text: r.text, publishedDate: r.date })) };
  return { results: results.map((r) => ({ title: r.title, url: r.url, content: r.text, publishedDate: r.date })) };
}

/** Starts the service; `answer` decides each answer (results, or an HTTP status to fail with). */
export function startSearchService(answer: (query: string) => ScriptedResult[] | number = () => []) {
  const seen: SeenSearch[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    development: false,
    async fetch(req) {
      const url = new URL(req.url);
      const text = await req.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {}
      const query = url.searchParams.get("q") ?? body?.query ?? "";
      seen.push({ method: req.method, path: url.pathname, query, headers: Object.fromEntries(req.headers), body });
      const a = answer(query);
      if (typeof a === "number") return new Response("search failed", { status: a });
      return Response.json(shaped(url.pathname, a));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}
