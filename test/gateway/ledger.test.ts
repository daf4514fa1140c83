// The usage ledger (#17.4-5): every request's row in SQLite or PostgreSQL, written in batches off the request
// path; the rows equal the access log; a database that goes down holds traffic up for nothing and is caught up
// with when it returns; `octollm usage` reports from the daily rollups.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { formatReport, usageReport } from "../../src/cli/usage";
import { openDatabase } from "../../src/config";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { createLoggedGateway } from "../helpers/gateway";
import { startTcpProxy } from "../helpers/tcp-proxy";

const config = (db: string) => `
server: { usage_db: "${db}" }
backends:
  mock: { provider: mock, price: { input: 1, output: 2 } }
models:
  m: { backends: { "default:1": { use: mock } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, models: { m: } }
`;

async function drive(gw: { fetch(r: Request): Promise<Response> }, n: number, parallel = 50) {
  for (let i = 0; i < n; i += parallel) {
    await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async (_, k) => {
        const r = await gw.fetch(
          new Request("http://gw/v1/chat/completions", {
            method: "POST",
            headers: (i + k) % 2 ? { authorization: "Bearer key-acme-alice" } : {}, // the others are anonymous: no key
            body: JSON.stringify({ model: "m", messages: [{ role: "user", content: `hello ${i + k}` }] }),
          }),
        );
        await r.text();
      }),
    );
  }
}

async function ledgerTotals(url: string) {
  const db = await openDatabase(url);
  try {
    const [raw] = (await db.sql.unsafe(`SELECT COUNT(*) AS n, SUM(cost_usd) AS cost, SUM(tokens_in + tokens_out) AS tokens FROM usage_requests`)) as any[];
    const [daily] = (await db.sql.unsafe(`SELECT SUM(requests) AS n, SUM(cost_usd) AS cost FROM usage_daily`)) as any[];
    return { rows: Number(raw.n), cost: Number(raw.cost), tokens: Number(raw.tokens), dailyRequests: Number(daily.n), dailyCost: Number(daily.cost) };
  } finally {
    await db.close();
  }
}

test("SQLite: after 10 000 requests the ledger's rows equal the access log lines; the report groups them", async () => {
  const path = freshSqlitePath();
  const { gw, lines } = await createLoggedGateway(config(path));
  await drive(gw, 10_000);
  await gw.shutdown(); // writes what is queued
  const logged = lines.filter((l) => l.msg === "access");
  const totals = await ledgerTotals(path);
  expect(totals.rows).toBe(10_000);
  expect(logged.length).toBe(10_000);
  expect(totals.cost).toBeCloseTo(
    logged.reduce((s, l) => s + (l.cost_usd ?? 0), 0),
    9,
  );
  expect(totals.tokens).toBe(logged.reduce((s, l) => s + (l.tokens_in ?? 0) + (l.tokens_out ?? 0), 0));
  expect([totals.dailyRequests, totals.dailyCost]).toEqual([10_000, expect.closeTo(totals.cost, 9)]);
  const byOrg = await usageReport(path, "7d", "org");
  expect(Object.fromEntries(byOrg.map((r) => [r.org, r.requests]))).toEqual({ "": 5000, acme: 5000 }); // anonymous callers have no org
  expect(formatReport(byOrg, "org").split("\n")[0]).toMatch(/^org +requests +errors +tokens_in +tokens_out +cache_hit_pct +cost_usd +cache_saved_usd$/);
  expect((await usageReport(path, "7d", "key")).find((r) => r.key === "acme/alice")?.requests).toBe(5000);
  await expect(usageReport(path, "7d", "color")).rejects.toThrow("--by must be one of");
}, 60_000);

const pg = await freshPostgres();
afterAll(() => pg.drop());

test("PostgreSQL: the database goes down under traffic; requests are still served, and the rows are written when it returns", async () => {
  const target = new URL(pg.url);
  const proxy = startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = pg.url.replace(`${target.hostname}:${target.port || 5432}`, `127.0.0.1:${proxy.port}`);
  const { gw, lines } = await createLoggedGateway(config(viaProxy));
  await drive(gw, 200);
  await gw.ledger!.flush();
  proxy.stop(); // the database is gone
  await drive(gw, 300); // every request is still answered
  await Bun.sleep(50);
  await gw.ledger!.flush().catch(() => {});
  expect(gw.ledger!.queued).toBeGreaterThan(0);
  proxy.start(); // it is back
  for (let i = 0; i < 100 && gw.ledger!.queued > 0; i++) {
    await gw.ledger!.flush().catch(() => {});
    await Bun.sleep(50);
  }
  expect(gw.ledger!.queued).toBe(0);
  await gw.shutdown();
  proxy.stop();
  const totals = await ledgerTotals(pg.url);
  expect(totals.rows).toBe(500);
  expect(lines.filter((l) => l.msg === "access" && l.status === 200).length).toBe(500);
  expect(gw.ledger!.dropped).toBe(0);
}, 60_000);

test("GET /v1/usage: an org's key reads its own spend and what its budgets have left, and nothing of another org", async () => {
  const path = freshSqlitePath();
  const { gw } = await createLoggedGateway(
    config(path).replace(
      "orgs:\n  acme: { api_keys: { alice: key-acme-alice }, models: { m: } }",
      "orgs:\n  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_per_day: 1 }, models: { m: } }\n  beta: { api_keys: { bob: key-beta-bobby }, models: { m: } }",
    ),
  );
  for (let i = 0; i < 3; i++) {
    const r = await gw.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer key-acme-alice" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    await r.text();
  }
  await Bun.sleep(10);
  await gw.ledger!.flush();
  const get = (key?: string) => gw.fetch(new Request("http://gw/v1/usage?since=7d", { headers: key ? { authorization: `Bearer ${key}` } : {} }));
  const mine = (await (await get("key-acme-alice")).json()) as any;
  expect([mine.org, mine.models.length, mine.models[0].model, mine.models[0].requests, mine.total.requests]).toEqual(["acme", 1, "m", 3, 3]);
  expect(mine.total.cost_usd).toBeGreaterThan(0);
  expect(mine.budgets).toEqual([
    {
      scope: "org acme",
      period: "per day",
      usd: 1,
      spent: expect.closeTo(mine.total.cost_usd, 5),
      remaining: expect.closeTo(1 - mine.total.cost_usd, 5),
      resets_at: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`, // the next UTC midnight
    },
  ]);
  const theirs = (await (await get("key-beta-bobby")).json()) as any;
  expect([theirs.org, theirs.models, theirs.budgets]).toEqual(["beta", [], []]);
  expect((await get()).status).toBe(401);
  expect((await get("not-a-real-key")).status).toBe(401);
  await gw.shutdown();
});

test("GET /admin/usage: the ledger's report for the admin key only", async () => {
  const path = freshSqlitePath();
  const { gw } = await createLoggedGateway(
    config(path).replace(`server: { usage_db: "${path}" }`, `server: { usage_db: "${path}", admin_key: "admin-key-0123456789abcdef" }`),
  );
  await drive(gw, 20);
  await Bun.sleep(10);
  await gw.ledger!.flush();
  const get = (query: string, key?: string) =>
    gw.fetch(new Request(`http://gw/admin/usage${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }));
  expect((await get("")).status).toBe(401);
  expect((await get("", "key-acme-alice")).status).toBe(401); // an org key is not the admin key
  const report = (await (await get("?by=model&since=1d", "admin-key-0123456789abcdef")).json()) as any;
  expect(report.rows.map((r: any) => [r.model, r.requests])).toEqual([["m", 20]]);
  expect((await get("?by=colour", "admin-key-0123456789abcdef")).status).toBe(400);
  await gw.shutdown();
});

test("retention: raw rows past usage_retention_days are deleted, at most 5 000 a run; the daily rollups stay (SQLite and PostgreSQL)", async () => {
  const { setSystemTime } = await import("bun:test");
  const { UsageLedger } = await import("../../src/gateway/ledger");
  const pg = await freshPostgres();
  for (const url of [freshSqlitePath(), pg.url]) {
    const ledger = await UsageLedger.open(url, { retentionDays: 30 });
    const rec = (rid: string) => ({
      rid,
      method: "POST",
      path: "/v1/chat/completions",
      protocol: "openai" as const,
      org: "acme",
      status: 200,
      ms: 1,
      bytes_in: 1,
      bytes_out: 1,
      cost_usd: 0.5,
    });
    try {
      setSystemTime(new Date(Date.now() - 40 * 86_400_000)); // 40 days ago
      for (let i = 0; i < 5200; i++) ledger.ended(rec(`old-${i}`));
      await ledger.flush();
    } finally {
      setSystemTime();
    }
    for (let i = 0; i < 10; i++) ledger.ended(rec(`new-${i}`));
    await ledger.flush(); // the first write past a minute since the last prune: one run
    const t = await ledgerTotals(url);
    expect([t.rows, t.dailyRequests, t.dailyCost]).toEqual([5210 - 5000, 5210, 2605]);
    await ledger.close();
  }
  await pg.drop();
});

test("a request's error text is stored with the config's secrets and URL passwords hidden, as the logs show it", async () => {
  const { UsageLedger } = await import("../../src/gateway/ledger");
  const { Logger } = await import("../../src/core");
  const path = freshSqlitePath().replace(/config\.db$/, "usage.db");
  const logger = new Logger(() => {});
  logger.setSecrets(["sk-upstream-secret-123456"]);
  const ledger = await UsageLedger.open(path, { logger });
  const base = { method: "POST", path: "/v1/chat/completions", protocol: "openai" as const, ms: 1, bytes_in: 1, bytes_out: 1 };
  ledger.ended({ ...base, rid: "a", status: 502, error: "upstream said: bad key sk-upstream-secret-123456 at https://user:pw123@up.example/v1" });
  ledger.ended({ ...base, rid: "b", status: 200 });
  await ledger.close();
  const db = await openDatabase(path);
  const rows = (await db.sql.unsafe("SELECT request_id, error FROM usage_requests ORDER BY request_id")) as { request_id: string; error: string | null }[];
  await db.close();
  expect(rows[0]!.error).not.toContain("sk-upstream-secret-123456");
  expect(rows[0]!.error).not.toContain("pw123");
  expect(rows[0]!.error).toContain("upstream said: bad key ***");
  expect(rows[1]!.error).toBeNull();
});
