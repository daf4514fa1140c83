#!/usr/bin/env bun
// The dashboard's API at a million ledger rows: fills a fresh SQLite file and a fresh PostgreSQL database with
// 1 000 000 rows over 30 days (through the ledger's own writer, rollups included), starts a gateway on each,
// signs in, and times every page's API calls (median and worst of 7, after one warm-up). A benchmark, not a test:
// it prints a table and marks calls over 200 ms.
//   bun scripts/bench/dashboard.ts [--rows 1000000] [--only sqlite|postgres]
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigValue, openDatabase } from "../../src/config";
import { sqlitePath } from "../../src/config/db/database";
import { createGateway } from "../../src/gateway";
import { pgInserter, sqliteInserter } from "../../src/gateway/ledger-rows";
import { prepareLedger } from "../../src/gateway/ledger-schema";
import { PG_ADMIN_URL } from "../../test/helpers/databases";
import { seedRows } from "../../test/helpers/ledger-seed";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROWS = Number(arg("rows") ?? 1_000_000);
const ADMIN = "dashboard-bench-admin-key-0123456789";

async function fill(url: string): Promise<number> {
  const started = performance.now();
  const db = await openDatabase(url, "bench ledger");
  await prepareLedger(db.sql);
  await db.close();
  const pg = url.startsWith("postgres");
  const inserter = pg ? pgInserter(new SQL(url, { max: 1 })) : sqliteInserter(sqlitePath(url));
  const chunk = 50_000;
  const batch = pg ? 2000 : 5000;
  for (let done = 0; done < ROWS; done += chunk) {
    const rows = seedRows(Math.min(chunk, ROWS - done), 30, 1000 + done, 20_000);
    for (let i = 0; i < rows.length; i += batch) await inserter.insert(rows.slice(i, i + batch));
  }
  // the worst session for the request list: two requests a month apart, so its rows are looked for across all of them
  const [first, last] = seedRows(2, 30, 99, 1);
  first![0] = Date.now() - 30 * 86_400_000;
  last![0] = Date.now();
  for (const row of [first!, last!]) row[13] = "sess-long-lived";
  await inserter.insert([first!]);
  await inserter.insert([last!]);
  await inserter.close();
  if (pg) {
    const sql = new SQL(url);
    await sql.unsafe("ANALYZE");
    await sql.close();
  }
  return performance.now() - started;
}

const CALLS = [
  "live",
  "backends",
  "requests?limit=50",
  "requests?limit=50&before=CURSOR",
  "requests?org=beta&limit=50",
  "requests?key=acme/bob&limit=50",
  "requests?model=gpt-y&limit=50",
  "requests?status=error&limit=50",
  "requests?session=SESSION&limit=50",
  "requests?session=sess-long-lived&limit=50",
  "requests/RID",
  "spend?by=model&days=30",
  "spend?by=key&days=90",
  "sessions?days=30&limit=50",
  "sessions?days=30&limit=50&before=SCURSOR",
  "keys",
];

async function measure(url: string): Promise<string[]> {
  const loaded = loadConfigValue(
    { server: { admin_key: ADMIN, usage_db: url, access_log: false }, models: { m: { backends: { "default:1": { provider: "mock" } } } } },
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const gw = await createGateway({ source: { config: loaded.config }, accessLog: { sink: { write: () => {} } } });
  const server = gw.listen("127.0.0.1", 0);
  const base = `http://127.0.0.1:${server.port}`;
  const login = await fetch(`${base}/admin/ui/api/login`, { method: "POST", headers: { origin: base }, body: JSON.stringify({ key: ADMIN }) });
  const cookie = /octollm_ui=[^;]+/.exec(login.headers.get("set-cookie")!)![0];
  const get = async (path: string) => {
    const res = await fetch(`${base}/admin/ui/api/${path}`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const first = await get("requests?limit=50");
  const sessions = await get("sessions?days=30&limit=50");
  const fill = (p: string) =>
    p
      .replace("SCURSOR", encodeURIComponent(sessions.next))
      .replace("CURSOR", encodeURIComponent(first.next))
      .replace("RID", first.rows[10].request_id)
      .replace("SESSION", encodeURIComponent(sessions.rows[1].session));
  const lines: string[] = [];
  for (const call of CALLS) {
    const path = fill(call);
    await get(path);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await get(path);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const worst = times[times.length - 1]!;
    lines.push(
      `  ${call.padEnd(44)} median ${times[3]!.toFixed(1).padStart(7)} ms   worst ${worst.toFixed(1).padStart(7)} ms${worst > 200 ? "   OVER 200 ms" : ""}`,
    );
  }
  await gw.shutdown(100);
  return lines;
}

const only = arg("only");
if (only !== "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "octollm-dash-bench-"));
  const url = join(dir, "usage.db");
  const ms = await fill(url);
  console.log(`SQLite, ${ROWS} rows (filled in ${(ms / 1000).toFixed(1)} s):`);
  for (const l of await measure(url)) console.log(l);
  rmSync(dir, { recursive: true, force: true });
}
if (only !== "sqlite") {
  const name = `octollm_dash_bench_${process.pid}`;
  const admin = new SQL(PG_ADMIN_URL);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  try {
    const ms = await fill(url);
    console.log(`PostgreSQL, ${ROWS} rows (filled in ${(ms / 1000).toFixed(1)} s):`);
    for (const l of await measure(url)) console.log(l);
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}
