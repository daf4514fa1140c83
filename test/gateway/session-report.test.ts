// `octollm usage --by session`: each session's tokens, cost, cache-hit share and what the prompt cache saved, equal to
// the token × price differences worked out by hand; a ledger made before the cache columns gets them on start
// (SQLite and PostgreSQL).
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { formatReport, usageReport } from "../../src/cli/usage";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { createLoggedGateway } from "../helpers/gateway";
import { anthropicCachedAnswer, startMockUpstream } from "../helpers/mock-upstream";

const answer = anthropicCachedAnswer;
const upstream = startMockUpstream((req) => ({
  headers: { "content-type": "application/json" },
  body: req.headers["x-turn"] === "1" ? answer(0, 900) : answer(900, 0),
}));
afterAll(() => upstream.stop());

const config = (db: string) => `
server: { usage_db: "${db}" }
models:
  claude-x:
    backends:
      "default:1": { base_url: "${upstream.url}", api: anthropic-messages, price: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 } }
`;

async function twoTurns(db: string) {
  const { gw } = await createLoggedGateway(config(db));
  for (const turn of ["1", "2"]) {
    const r = await gw.fetch(
      new Request("http://gw/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-claude-code-session-id": "sess-A", "x-turn": turn },
        body: JSON.stringify({ model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    expect(r.status).toBe(200);
  }
  await gw.shutdown(100);
}

// by hand, per million tokens: turn 1 = 100×3 + 900×3.75 (write) + 5×15 = 3 750; turn 2 = 100×3 + 900×0.3 (read) + 5×15 = 645
// saved: turn 1 wrote at 0.75 over input (−675), turn 2 read at 2.7 under it (+2 430): +1 755
const EXPECTED = {
  session: "sess-A",
  requests: 2,
  errors: 0,
  tokens_in: 2000,
  tokens_out: 10,
  cache_hit_pct: 45,
  cost_usd: 0.004395,
  cache_saved_usd: 0.001755,
};

test("SQLite, a ledger made before the cache columns: both tables get them, and the session report matches the hand count", async () => {
  const path = freshSqlitePath();
  const old = new Database(path);
  old.run(
    "CREATE TABLE usage_requests (ts BIGINT NOT NULL, request_id TEXT NOT NULL, org TEXT, key_user TEXT, model TEXT, backend TEXT, upstream_model TEXT, status INTEGER NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, session TEXT, estimate TEXT)",
  );
  old.run(
    "CREATE TABLE usage_daily (day TEXT NOT NULL, org TEXT NOT NULL, key_user TEXT NOT NULL, model TEXT NOT NULL, backend TEXT NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, PRIMARY KEY (day, org, key_user, model, backend))",
  );
  old.run(`INSERT INTO usage_requests VALUES (${Date.now()}, 'old', NULL, NULL, 'claude-x', 'default:1', NULL, 200, 10, 1, 0.001, 1, NULL, 'sess-old', NULL)`);
  old.close();
  await twoTurns(path);
  const rows = await usageReport(path, "7d", "session");
  expect(rows.map(({ first_seen, last_seen, ...r }) => r)).toEqual([
    EXPECTED,
    { session: "sess-old", requests: 1, errors: 0, tokens_in: 10, tokens_out: 1, cache_hit_pct: 0, cost_usd: 0.001, cache_saved_usd: 0 },
  ]);
  expect((await usageReport(path, "7d", "model"))[0]).toMatchObject({ model: "claude-x", requests: 2, cache_hit_pct: 45, cache_saved_usd: 0.001755 }); // the old daily table got its columns
  // the session rollups were filled from the old rows once, then kept by every batch
  const rollup = new Database(path, { readonly: true });
  const sessions = rollup.query("SELECT session, requests, tokens_in, cost_usd FROM usage_sessions ORDER BY session").all();
  const models = rollup.query("SELECT session, model, requests FROM usage_session_models ORDER BY session").all();
  rollup.close();
  expect(sessions).toEqual([
    { session: EXPECTED.session, requests: EXPECTED.requests, tokens_in: EXPECTED.tokens_in, cost_usd: expect.closeTo(EXPECTED.cost_usd, 9) },
    { session: "sess-old", requests: 1, tokens_in: 10, cost_usd: 0.001 },
  ]);
  expect(models).toEqual([
    { session: EXPECTED.session, model: "claude-x", requests: 2 },
    { session: "sess-old", model: "claude-x", requests: 1 },
  ]);
  const table = formatReport(rows, "session");
  expect(table.split("\n")[0]).toMatch(
    /^session\s+requests\s+errors\s+tokens_in\s+tokens_out\s+cache_hit_pct\s+cost_usd\s+cache_saved_usd\s+first_seen\s+last_seen$/,
  );
});

test("PostgreSQL: the same report", async () => {
  const pg = await freshPostgres();
  try {
    await twoTurns(pg.url);
    const rows = await usageReport(pg.url, "7d", "session");
    expect(rows.map(({ first_seen, last_seen, ...r }) => r)).toEqual([EXPECTED]);
  } finally {
    await pg.drop();
  }
});

test("the daily report (by model) carries the cache-hit share and the savings, from the rollups", async () => {
  const path = freshSqlitePath();
  await twoTurns(path);
  const byModel = await usageReport(path, "7d", "model");
  expect(byModel).toEqual([
    { model: "claude-x", requests: 2, errors: 0, tokens_in: 2000, tokens_out: 10, cache_hit_pct: 45, cost_usd: 0.004395, cache_saved_usd: 0.001755 },
  ]);
});
