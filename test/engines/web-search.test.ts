// The web search client: each provider's request and answer shape, and what a hostile or broken service gets.
import { afterAll, describe, expect, test } from "bun:test";
import { SearchUnavailable, webSearch, type SearchProvider } from "../../src/engines";
import { startSearchService, type ScriptedResult } from "../helpers/search-service";

const RESULTS: ScriptedResult[] = [
  { title: "Bun 2 released", url: "https://bun.sh/blog/bun-v2", text: "Bun 2 is out.", date: "2026-11-01" },
  { title: "Sneaky", url: "javascript:alert(1)", text: "x" },
  { title: "Docs", url: "https://docs.bun.sh/runtime", text: "Runtime docs" },
  { title: "Spam", url: "https://spam.example/buy", text: "buy" },
];
const svc = startSearchService((q) => (q === "fail" ? 503 : q === "busy" ? 429 : RESULTS));
afterAll(() => svc.stop());

describe("providers", () => {
  const cases: [SearchProvider, string, (s: (typeof svc.seen)[number]) => void][] = [
    ["brave", "/brave", (s) => expect([s.method, s.headers["x-subscription-token"]]).toEqual(["GET", "bk"])],
    ["tavily", "/tavily", (s) => expect([s.method, s.headers.authorization, s.body.max_results]).toEqual(["POST", "Bearer bk", 3])],
    ["exa", "/exa", (s) => expect([s.method, s.headers["x-api-key"], s.body.numResults]).toEqual(["POST", "bk", 3])],
    ["searxng", "/searxng", (s) => expect([s.method, s.path]).toEqual(["GET", "/searxng/search"])],
  ];
  for (const [provider, path, check] of cases) {
    test(`${provider}: its request shape; results cleaned (no javascript: links), dated`, async () => {
      const results = await webSearch({ provider, url: `${svc.url}${path}`, apiKey: "bk", maxResults: 3 }, "bun release");
      check(svc.seen.at(-1)!);
      expect(svc.seen.at(-1)!.query).toBe("bun release");
      expect(results.map((r) => r.url)).toEqual(["https://bun.sh/blog/bun-v2", "https://docs.bun.sh/runtime", "https://spam.example/buy"]);
      expect(results[0]).toEqual({ url: "https://bun.sh/blog/bun-v2", title: "Bun 2 released", snippet: "Bun 2 is out.", pageAge: "2026-11-01" });
    });
  }
});

describe("scope and failures", () => {
  const cfg = { provider: "tavily" as const, url: `${svc.url}/tavily`, apiKey: "k" };
  test("allowed and blocked domains filter results (subdomains included); Tavily also gets them", async () => {
    expect((await webSearch(cfg, "q", { allowedDomains: ["bun.sh"] })).map((r) => r.url)).toEqual([
      "https://bun.sh/blog/bun-v2",
      "https://docs.bun.sh/runtime",
    ]);
    expect(svc.seen.at(-1)!.body.include_domains).toEqual(["bun.sh"]);
    expect((await webSearch(cfg, "q", { blockedDomains: ["spam.example", "docs.bun.sh"] })).map((r) => r.url)).toEqual(["https://bun.sh/blog/bun-v2"]);
  });

  test("a failing, rate-limited, unreachable, slow or redirecting service is SearchUnavailable with Anthropic's code", async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e) => e as SearchUnavailable,
      );
    expect((await err(webSearch(cfg, "fail")))?.code).toBe("unavailable");
    expect((await err(webSearch(cfg, "busy")))?.code).toBe("too_many_requests");
    expect(await err(webSearch({ ...cfg, url: "http://127.0.0.1:9/x" }, "q"))).toBeInstanceOf(SearchUnavailable);
    const slow = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>((r) => setTimeout(() => r(Response.json({})), 2000)) });
    const redirect = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.redirect("http://169.254.169.254/latest", 302) });
    try {
      expect((await err(webSearch({ ...cfg, url: `http://127.0.0.1:${slow.port}/`, timeoutMs: 100 }, "q")))?.message).toBe("search service timed out");
      expect(await err(webSearch({ ...cfg, url: `http://127.0.0.1:${redirect.port}/` }, "q"))).toBeInstanceOf(SearchUnavailable);
    } finally {
      slow.stop(true);
      redirect.stop(true);
    }
  });

  test("hostile answers: huge titles are cut, a non-list is no results, searxng needs its url", async () => {
    const big = startSearchService(() => [{ title: "t".repeat(10_000), url: `https://a.example/${"p".repeat(5000)}`, text: "s".repeat(10_000) }]);
    try {
      const [r] = await webSearch({ ...cfg, url: `${big.url}/tavily` }, "q");
      expect([r!.title.length, r!.snippet.length, r!.url.length <= 2048]).toEqual([300, 1500, true]);
    } finally {
      big.stop();
    }
    expect(await webSearch({ provider: "brave", url: `${svc.url}/tavily`, apiKey: "k" }, "q")).toEqual([]); // no web.results there
    expect(webSearch({ provider: "searxng" }, "q")).rejects.toThrow("web_search.url is required for searxng");
  });
});
