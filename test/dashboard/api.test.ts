// The dashboard's API against a seeded ledger (SQLite and PostgreSQL): keyset pages walk every row once, filters
// match what the rows say, spend per group equals `octollm usage`, sessions equal their rows' sums, and bad
// parameters are refused. Live and Backends from real traffic.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { afterAll, describe, expect, test } from "bun:test";
import { usageRows } from "../../src/gateway/ledger";
import { sessionRows } from "../../src/gateway/session-report";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { ADMIN_KEY, dashboardConfig, dashboardGateway, type UiLogin } from "../helpers/dashboard";
import { seedLedger, type SeedRow } from "../helpers/ledger-seed";

const N = 700;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function pages(g: Awaited<ReturnType<typeof dashboardGateway>>, login: UiLogin, base: string, limit = 50) {
  const seen: Record<string, any>[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const res = await g.api(login, `${base}${base.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { rows: Record<string, any>[]; next: string | null };
    seen.push(...page.rows);
    cursor = page.next;
    if (!cursor) break;
  }
  return seen;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`${kind} ledger`, async () => {
    let url: string;
    if (kind === "sqlite") url = freshSqlitePath().replace(/config\.db$/, "usage.db");
    else {
      const pg = await freshPostgres();
      cleanups.push(pg.drop);
      url = pg.url;
    }
    const rows: SeedRow[] = await seedLedger(url, N);
    const g = await dashboardGateway(dashboardConfig("", url));
    cleanups.push(g.stop);
    const login = await g.signIn();

    test("pages of 50 walk every row exactly once, newest first", async () => {
      const seen = await pages(g, login, "requests");
      expect(seen).toHaveLength(N);
      expect(new Set(seen.map((r) => r.request_id)).size).toBe(N);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.ts).toBeLessThanOrEqual(seen[i - 1]!.ts);
      expect(typeof seen[0]!.ts).toBe("number");
      expect(typeof seen[0]!.tokens_in).toBe("number");
    });

    test("filters return exactly the rows that match", async () => {
      const times = rows.map((r) => Number(r.ts)).sort((a, b) => a - b);
      const midTs = times[Math.floor(N / 3)]!;
      const lateTs = times[Math.floor((2 * N) / 3)]!;
      const cases: [string, (r: SeedRow) => boolean][] = [
        ["org=acme", (r) => r.org === "acme"],
        ["key=acme/alice", (r) => r.org === "acme" && r.key_user === "alice"],
        ["model=gpt-y&status=error", (r) => r.model === "gpt-y" && Number(r.status) >= 400],
        ["backend=spare&status=ok", (r) => r.backend === "spare" && Number(r.status) < 400],
        ["session=sess-3", (r) => r.session === "sess-3"],
        [`from_ms=${midTs}&to_ms=${lateTs}`, (r) => Number(r.ts) >= midTs && Number(r.ts) <= lateTs],
        [`org=acme&from_ms=${midTs}`, (r) => r.org === "acme" && Number(r.ts) >= midTs],
        [`org=${encodeURIComponent("x' OR 1=1 --")}`, () => false],
      ];
      for (const [q, match] of cases) {
        const seen = await pages(g, login, `requests?${q}`, 37);
        expect(seen.map((r) => r.request_id).sort()).toEqual(
          rows
            .filter(match)
            .map((r) => String(r.request_id))
            .sort(),
        );
      }
    });

    test("a request's detail has its attempts, failed upstreams, error and estimate; an unknown one is a 404", async () => {
      const failed = rows.find((r) => r.upstream_errors && Number(r.status) >= 400) ?? rows.find((r) => r.upstream_errors)!;
      const res = await g.api(login, `requests/${failed.request_id}`);
      const row = (await res.json()) as Record<string, any>;
      expect(row.attempts).toBe(2);
      expect(row.upstream_errors).toEqual([{ backend: "spare", kind: "timeout" }]);
      expect(row.error ?? null).toBe(failed.error);
      expect((await g.api(login, "requests/no-such-request")).status).toBe(404);
    });

    test("spend by each group equals `octollm usage` and the rows' own sums", async () => {
      const sql = await g.gw.ledger!.sql();
      for (const by of ["org", "key", "model", "backend"] as const) {
        const res = (await (await g.api(login, `spend?by=${by}&days=30`)).json()) as { rows: { group: string; cost_usd: number; requests: number }[] };
        const mine = new Map<string, { cost: number; requests: number }>();
        for (const r of res.rows) {
          const m = mine.get(r.group) ?? { cost: 0, requests: 0 };
          m.cost += r.cost_usd;
          m.requests += r.requests;
          mine.set(r.group, m);
        }
        const report = await usageRows(sql, "30d", by);
        expect(report.length).toBe(mine.size);
        for (const line of report) {
          const m = mine.get(String(line[by]))!;
          expect(m.requests).toBe(line.requests as number);
          expect(round6(m.cost)).toBe(line.cost_usd as number);
        }
        const keyOf = (r: SeedRow) =>
          by === "key" ? `${r.org ?? ""}/${r.key_user ?? ""}` : String(r[by === "org" ? "org" : by === "model" ? "model" : "backend"] ?? "");
        const byHand = new Map<string, number>();
        for (const r of rows) byHand.set(keyOf(r), (byHand.get(keyOf(r)) ?? 0) + Number(r.cost_usd));
        for (const [group, cost] of byHand) expect(round6(mine.get(group)!.cost)).toBe(round6(cost));
      }
    });

    test("sessions equal the sums of their rows, with their models and subagent requests", async () => {
      const seen = await pages(g, login, "sessions?days=30", 5);
      const sessions = new Set(rows.filter((r) => r.session).map((r) => r.session));
      expect(seen.map((s) => s.session).sort()).toEqual([...sessions].sort() as string[]);
      const raw = await sessionRows(await g.gw.ledger!.sql(), 0);
      for (const s of seen) {
        const own = rows.filter((r) => r.session === s.session);
        expect(s.requests).toBe(own.length);
        expect(s.subagent_requests).toBe(own.filter((r) => r.agent).length);
        expect(s.tokens_in).toBe(own.reduce((n, r) => n + Number(r.tokens_in), 0));
        expect(s.cache_read).toBe(own.reduce((n, r) => n + Number(r.cache_read), 0));
        expect(round6(s.cost_usd)).toBe(round6(own.reduce((n, r) => n + Number(r.cost_usd), 0)));
        expect(s.first_ts).toBe(Math.min(...own.map((r) => Number(r.ts))));
        expect(s.last_ts).toBe(Math.max(...own.map((r) => Number(r.ts))));
        const models: Record<string, number> = {};
        for (const r of own) models[String(r.model)] = (models[String(r.model)] ?? 0) + 1;
        expect(s.models).toEqual(models);
        const line = raw.find((x) => x.session === s.session)!;
        expect(s.cache_hit_pct).toBe(line.cache_hit_pct as number);
        expect(round6(s.cost_usd)).toBe(line.cost_usd as number);
      }
    });

    test("malformed parameters are refused with a 400, never a database error", async () => {
      for (const q of [
        "requests?limit=0",
        "requests?limit=201",
        "requests?limit=1e2",
        "requests?before=garbage",
        "requests?before=12.",
        "requests?status=maybe",
        `requests?org=${"x".repeat(257)}`,
        "spend?days=0",
        "spend?days=-1",
        "spend?by=session",
        "sessions?days=1.5",
        "requests?from_ms=yesterday",
        "requests?to_ms=-5",
        "requests/%E0%A4%A",
      ]) {
        const res = await g.api(login, q);
        expect(res.status, q).toBe(400);
      }
    });
  });
}

describe("live and backends from real traffic", () => {
  test("tiles, series and the tail count the requests that were served; backends show the answers' figures", async () => {
    const g = await dashboardGateway(dashboardConfig());
    cleanups.push(g.stop);
    for (let i = 0; i < 12; i++) {
      const key = i % 3 ? "sk-acme-alice-123456" : "sk-beta-carol-12345";
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-claude-code-session-id": i % 2 ? "sess-a" : "sess-b" },
        body: JSON.stringify({ model: i === 11 ? "missing" : "mock-gpt", messages: [{ role: "user", content: "hi" }], stream: i % 2 === 0 }),
      });
      await res.text();
    }
    const login = await g.signIn();
    const live = (await (await g.api(login, "live")).json()) as any;
    expect(live.series).toHaveLength(90);
    expect(live.series.reduce((n: number, p: any) => n + p.requests, 0)).toBe(12);
    expect(live.series.reduce((n: number, p: any) => n + p.errors, 0)).toBe(1);
    expect(live.tiles.error_pct).toBeCloseTo((1 / 12) * 100, 1);
    expect(live.tiles.p95_ttft_ms).not.toBeNull();
    expect(live.tiles.spend_source).toBe("memory");
    expect(live.tiles.spend_today_usd).toBeGreaterThan(0);
    expect(live.tail).toHaveLength(12);
    expect(live.tail[0].model).toBe("missing");
    expect(live.tail[1]).toMatchObject({ org: "acme", user: "alice", model: "mock-gpt", backend: "default:1", status: 200 });
    const backends = (await (await g.api(login, "backends")).json()) as any;
    expect(backends.backends).toEqual([
      expect.objectContaining({ model: "mock-gpt", backend: "default:1", state: "closed", requests: 11, errors: 0, error_pct: 0 }),
    ]);
    expect(backends.backends[0].p95_ms).toBeGreaterThanOrEqual(backends.backends[0].p50_ms);
    // without a ledger, Requests and Sessions come from the requests held in memory, in the ledger's shape
    const all = (await (await g.api(login, "requests?limit=5")).json()) as any;
    expect(all.source).toBe("memory");
    expect(all.rows).toHaveLength(5);
    expect(all.rows[0].model).toBe("missing");
    const rest = (await (await g.api(login, `requests?limit=50&before=${encodeURIComponent(all.next)}`)).json()) as any;
    expect(rest.rows).toHaveLength(7);
    expect(new Set([...all.rows, ...rest.rows].map((r: any) => r.request_id)).size).toBe(12);
    const beta = (await (await g.api(login, "requests?org=beta&status=ok")).json()) as any;
    expect(beta.rows.map((r: any) => r.key_user)).toEqual(["carol", "carol", "carol", "carol"]);
    const detail = (await (await g.api(login, `requests/${beta.rows[0].request_id}`)).json()) as any;
    expect(detail).toMatchObject({ org: "beta", key_user: "carol", model: "mock-gpt", backend: "default:1", status: 200 });
    const sessions = (await (await g.api(login, "sessions")).json()) as any;
    expect(sessions.source).toBe("memory");
    expect(sessions.rows.map((s: any) => [s.session, s.requests]).sort()).toEqual([
      ["sess-a", 6],
      ["sess-b", 6],
    ]);
  });
});

describe("streams going out, per backend", () => {
  test("a stream being sent counts on its backend until it ends", async () => {
    const { startMockUpstream } = await import("../helpers/mock-upstream");
    const upstream = startMockUpstream(() => ({ delayMs: 300 }));
    cleanups.push(async () => upstream.stop());
    const g = await dashboardGateway(`
server: { admin_key: ${ADMIN_KEY} }
models:
  slow: { backends: { "default:1": { base_url: "${upstream.url}" } } }
`);
    cleanups.push(g.stop);
    const login = await g.signIn();
    const streaming = async () => ((await (await g.api(login, "backends")).json()) as any).backends[0].streaming;
    expect(await streaming()).toBe(0);
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.status).toBe(200);
    expect(await streaming()).toBe(1);
    await res.text();
    await Bun.sleep(20);
    expect(await streaming()).toBe(0);
  });
});

describe("backends that fail", () => {
  test("a dead backend's failed attempts, its circuit cooling down with the rest left, and the last error", async () => {
    const dead = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const deadUrl = `http://127.0.0.1:${dead.port}`;
    dead.stop(true); // nothing listens there now
    const g = await dashboardGateway(`
server: { admin_key: ${ADMIN_KEY}, failover: { failure_threshold: 2, cooldown_ms: 60000 } }
models:
  m:
    backends:
      "default:1": { base_url: "${deadUrl}" }
      "default:1:spare": { provider: mock }
`);
    cleanups.push(g.stop);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200); // the spare answers
      await res.text();
    }
    const login = await g.signIn();
    const { backends } = (await (await g.api(login, "backends")).json()) as any;
    const deadOne = backends.find((b: any) => b.backend === "default:1");
    const spare = backends.find((b: any) => b.backend === "default:1:spare");
    expect(deadOne.state).toBe("open");
    expect(deadOne.rest_left_ms).toBeGreaterThan(50_000);
    expect(deadOne.failed_attempts).toBeGreaterThanOrEqual(2);
    expect(deadOne.requests).toBe(0);
    expect(deadOne.error_pct).toBe(100);
    expect(deadOne.last_error.message).toContain("attempt failed");
    expect(spare).toMatchObject({ state: "closed", requests: 6, errors: 0, rest_left_ms: 0 });
  });
});
