// Model names by pattern (#14.1), the upstream model in one word (#14.2), display names and list_as (#14.7).
import { afterAll, describe, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { LazyBody } from "../../src/core";
import { globMatch, shadowedPatterns } from "../../src/engines";
import { createGateway, type Gateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { rng } from "../helpers/random";

const upstream = startMockUpstream();
afterAll(() => upstream.stop());

async function gateway(yaml: string): Promise<{ gw: Gateway; logs: any[] }> {
  const loaded = loadConfigText(yaml, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const logs: any[] = [];
  const sink = {
    write: (t: string) =>
      logs.push(
        ...t
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ),
  };
  const gw = await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink } });
  return { gw, logs };
}
const ask = (gw: Gateway, model: string, path = "/v1/chat/completions") =>
  gw.fetch(new Request(`http://gw${path}`, { method: "POST", body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) }));

describe("globMatch", () => {
  test("star-only globs, anchored at both ends", () => {
    expect(globMatch("claude-*", "claude-haiku-4-5-20251001")).toBe(true);
    expect(globMatch("claude-*", "my-claude-x")).toBe(false);
    expect(globMatch("*", "")).toBe(true);
    expect(globMatch("*-haiku-*", "claude-haiku-4-5")).toBe(true);
    expect(globMatch("a*b*c", "abc")).toBe(true);
    expect(globMatch("a*b*c", "acb")).toBe(false);
    expect(globMatch("ab*ba", "aba")).toBe(false); // the two ends may not overlap
    expect(globMatch("gpt", "gpt")).toBe(true);
  });
  test("agrees with a regular expression on random names and patterns", () => {
    const r = rng(7);
    const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
    for (let i = 0; i < 3000; i++) {
      const pattern = pick("ab*", 1 + Math.floor(r() * 6));
      const name = pick("ab", Math.floor(r() * 8));
      const re = new RegExp(`^${pattern.replaceAll("*", ".*")}$`);
      expect(globMatch(pattern, name)).toBe(re.test(name));
    }
  });
  test("a long name cannot make matching slow (no backtracking)", () => {
    const name = "a".repeat(200_000);
    expect(globMatch("*a*a*a*a*b", name)).toBe(false); // linear: returns at once
  });
  test("shadowed patterns: an earlier pattern that covers every name a later one matches", () => {
    expect(shadowedPatterns(["claude-*", "claude-haiku-*", "gpt-*", "*", "x-*"])).toEqual([
      ["claude-haiku-*", "claude-*"],
      ["x-*", "*"],
    ]);
    expect(shadowedPatterns(["claude-haiku-*", "claude-*"])).toEqual([]); // the specific one first: both can match
  });
});

describe("pattern models", () => {
  const yaml = `
models:
  claude-opus-4-1:
    display_name: Opus on the gateway
    backends: { "default:1": { base_url: "${upstream.url}", model: exact-upstream } }
  claude-haiku-*:
    list_as: [claude-haiku-4-5-20251001]
    backends: { "default:1": { base_url: "${upstream.url}", model: cheap-upstream } }
  claude-*:
    list_as: [claude-sonnet-5, claude-opus-4-1]
    backends: { "default:1": { base_url: "${upstream.url}", model: big-upstream } }
`;
  test("an exact name wins, else the first matching pattern; the upstream gets the backend's model name", async () => {
    const { gw, logs } = await gateway(yaml);
    for (const [asked, sent] of [
      ["claude-opus-4-1", "exact-upstream"],
      ["claude-haiku-4-5-20251001", "cheap-upstream"],
      ["claude-sonnet-5", "big-upstream"],
    ]) {
      const before = upstream.seen.length;
      expect((await ask(gw, asked!)).status).toBe(200);
      expect(JSON.parse(new TextDecoder().decode(upstream.seen[before]!.body)).model).toBe(sent);
    }
    gw.accessLog.flush();
    expect(logs.map((l) => [l.model, l.route, l.upstream_model])).toEqual([
      ["claude-opus-4-1", undefined, "exact-upstream"],
      ["claude-haiku-4-5-20251001", "claude-haiku-*", "cheap-upstream"],
      ["claude-sonnet-5", "claude-*", "big-upstream"],
    ]);
    const metrics = gw.metrics!.render();
    expect(metrics).toContain(`model="claude-*"`); // bounded labels: the pattern, not each name
    expect(metrics).not.toContain(`model="claude-sonnet-5"`);
  });
  test("an unknown model's 404 lists what the caller may use", async () => {
    const { gw } = await gateway(yaml);
    const r = await ask(gw, "gpt-4o");
    expect(r.status).toBe(404);
    const err = ((await r.json()) as any).error;
    expect(err.message).toContain("gpt-4o is not served here; models you may use: claude-opus-4-1, claude-haiku-*, claude-*");
  });
  test("/v1/models lists exact names and list_as names once, with display names in Anthropic's shape", async () => {
    const { gw } = await gateway(yaml);
    const anthropic = (await (await gw.fetch(new Request("http://gw/v1/models", { headers: { "anthropic-version": "2023-06-01" } }))).json()) as any;
    expect(anthropic.data.map((m: any) => [m.id, m.display_name])).toEqual([
      ["claude-opus-4-1", "Opus on the gateway"],
      ["claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001"],
      ["claude-sonnet-5", "claude-sonnet-5"],
    ]);
    const openai = (await (await gw.fetch(new Request("http://gw/v1/models"))).json()) as any;
    expect(openai.data.map((m: any) => m.id)).toEqual(["claude-opus-4-1", "claude-haiku-4-5-20251001", "claude-sonnet-5"]);
  });
  test("on a converted route the client sees the name it asked for", async () => {
    const { gw } = await gateway(`
models:
  claude-*:
    backends: { "default:1": { base_url: "${upstream.url}", model: some-openai-model, convert_to_messages: from_chat } }
`);
    const r = await ask(gw, "claude-sonnet-5", "/v1/messages");
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).model).toBe("claude-sonnet-5");
    expect(JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body)).model).toBe("some-openai-model");
  });
  test("validate warns about a pattern an earlier one covers, with its line", () => {
    const loaded = loadConfigText(
      `models:\n  "*":\n    backends: { "default:1": { provider: mock } }\n  claude-*:\n    backends: { "default:1": { provider: mock } }\n`,
      {},
    );
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.warnings).toEqual([{ line: 4, col: 3, path: "models.claude-*", message: expect.stringContaining("the earlier pattern * covers") }]);
  });
});

describe("LazyBody.withField", () => {
  test("splices the field into unparsed bytes, or adds it; the original body is unchanged", () => {
    const src = LazyBody.fromBytes(new TextEncoder().encode(`{"a":1, "model" : "x", "b":[1,2]}`));
    const changed = src.withField("model", "y");
    expect(new TextDecoder().decode(changed.bytesOut())).toBe(`{"a":1, "model" : "y", "b":[1,2]}`);
    expect(src.field("model")).toBe("x");
    const added = LazyBody.fromBytes(new TextEncoder().encode(` {"a":1}`)).withField("model", "z");
    expect(added.json()).toEqual({ model: "z", a: 1 });
    const empty = LazyBody.fromBytes(new TextEncoder().encode(`{}`)).withField("model", "z");
    expect(empty.json()).toEqual({ model: "z" });
    const parsed = LazyBody.fromValue({ model: "p", n: 1 }).withField("model", "q");
    expect(parsed.json()).toEqual({ model: "q", n: 1 });
  });
});
