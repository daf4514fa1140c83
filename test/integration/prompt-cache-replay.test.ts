// #30: a Codex session on an Anthropic backend keeps the provider's prompt cache warm. The real Codex CLI runs a
// four-request session (three shell calls, then an answer) through the gateway to an Anthropic upstream whose
// prompt cache behaves as Anthropic documents it (test/helpers/anthropic-cache.ts): with the gateway's automatic
// breakpoints, every request after the first reads over 80 % of its input from the cache; without them (what a
// converted Codex request had before), none does. The ledger's session report agrees with the upstream's figures.
import { afterAll, expect, test } from "bun:test";
import { PromptCache, anthropicSse, scriptedAnswer } from "../helpers/anthropic-cache";
import { runClaude } from "../helpers/claude-cli";
import { runCodex } from "../helpers/codex-cli";
import { freshSqlitePath } from "../helpers/databases";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

let cache = new PromptCache();
const upstream = startMockUpstream((req, json) => {
  if (!req.path.startsWith("/v1/messages") || req.path.includes("count_tokens")) return {};
  const message = scriptedAnswer(json, cache.use(json), 3);
  return json.stream ? { chunks: anthropicSse(message) } : { body: JSON.stringify(message) };
});
afterAll(() => upstream.stop());

const PRICE = "price: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }";

async function codexSession(profile: string, usageDb?: string) {
  cache = new PromptCache();
  const { gw } = await createLoggedGateway(`
server: { ${usageDb ? `usage_db: "${usageDb}"` : ""} }
models:
  gpt-5.5:
    backends:
      "default:1": { base_url: "${upstream.url}", api: anthropic-messages, model: claude-sonnet-4-5, ${PRICE}${profile ? `, profile: { ${profile} }` : ""} }
`);
  const url = gw.listen("127.0.0.1", 0).url.href.replace(/\/$/, "");
  try {
    const run = await runCodex(`${url}/v1`, "gpt-5.5", "run three steps");
    expect(run.code, run.err).toBe(0);
    await gw.ledger?.flush();
    return { turns: cache.turns, sql: await gw.ledger?.sql() };
  } finally {
    await gw.shutdown(100);
  }
}

const share = (t: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number }) =>
  t.cache_read_input_tokens / (t.input_tokens + t.cache_read_input_tokens + t.cache_creation_input_tokens);

test("Codex on an Anthropic backend reads over 80 % of its input from the cache on every request after the first", async () => {
  const db = freshSqlitePath().replace(/config\.db$/, "usage.db");
  const { turns } = await codexSession("", db);
  expect(turns.length).toBe(4);
  expect(turns[0]!.cache_read_input_tokens).toBe(0);
  expect(turns[0]!.cache_creation_input_tokens).toBeGreaterThan(1024);
  for (const t of turns.slice(1)) {
    expect(t.breakpoints).toBeLessThanOrEqual(4);
    expect(share(t)).toBeGreaterThan(0.8);
  }
  console.log(`cache-read share by request: ${turns.map((t) => `${(share(t) * 100).toFixed(1)} %`).join(", ")}`);

  // the ledger's session report: the upstream's reads and the savings at the backend's price, worked out by hand
  const { Database } = await import("bun:sqlite");
  const ledger = new Database(db, { readonly: true });
  const sessions = ledger
    .query("SELECT session, SUM(cache_read) AS read, SUM(cache_write) AS written, SUM(cache_saved_usd) AS saved FROM usage_requests GROUP BY session")
    .all() as {
    session: string;
    read: number;
    written: number;
    saved: number;
  }[];
  ledger.close();
  expect(sessions).toHaveLength(1);
  const read = turns.reduce((n, t) => n + t.cache_read_input_tokens, 0);
  const written = turns.reduce((n, t) => n + t.cache_creation_input_tokens, 0);
  expect(sessions[0]!.session).not.toBe("");
  expect(sessions[0]!.read).toBe(read);
  expect(sessions[0]!.written).toBe(written);
  // a read costs 0.3 instead of 3 per million; a write 3.75 instead of 3
  expect(sessions[0]!.saved).toBeCloseTo((read * (3 - 0.3) - written * (3.75 - 3)) / 1e6, 9);
}, 90_000);

test("without the gateway's breakpoints (auto_cache: false) the same session never reads the cache", async () => {
  const { turns } = await codexSession("auto_cache: false");
  expect(turns.length).toBe(4);
  for (const t of turns) {
    expect(t.breakpoints).toBe(0);
    expect(t.cache_read_input_tokens).toBe(0);
  }
}, 90_000);

test("Claude Code's own breakpoints pass as it sent them: its requests after the first read over 80 % from the cache", async () => {
  cache = new PromptCache();
  const { gw } = await createLoggedGateway(`
models:
  claude-*:
    backends:
      "default:1": { base_url: "${upstream.url}", api: anthropic-messages, ${PRICE} }
`);
  const url = gw.listen("127.0.0.1", 0).url.href.replace(/\/$/, "");
  const seenBefore = upstream.seen.length;
  try {
    const run = await runClaude(["-p", "run three steps", "--allowedTools", "Bash", "--model", "claude-sonnet-4-5"], {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: "sk-any",
    });
    expect(run.code, run.err.slice(-1000)).toBe(0);
  } finally {
    await gw.shutdown(100);
  }
  const turns = cache.turns;
  expect(turns.length).toBe(4);
  for (const t of turns.slice(1)) expect(share(t)).toBeGreaterThan(0.8);
  console.log(`Claude Code, cache-read share by request: ${turns.map((t) => `${(share(t) * 100).toFixed(1)} %`).join(", ")}`);
  // the marks are Claude Code's own (same-API requests pass byte for byte: test/integration/sdk-passthrough.test.ts)
  for (const seen of upstream.seen.slice(seenBefore).filter((r) => r.path.startsWith("/v1/messages"))) {
    const marks = new TextDecoder().decode(seen.body).split('"cache_control"').length - 1;
    expect(marks).toBeGreaterThanOrEqual(1);
    expect(marks).toBeLessThanOrEqual(4);
  }
}, 90_000);
