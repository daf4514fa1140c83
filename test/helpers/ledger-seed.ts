// A usage ledger filled with known rows through the ledger's own writer (its rollups included), spread over days,
// orgs, keys, models, backends, sessions, errors and subagents; the rows are returned for sums worked out here.
import { openDatabase } from "../../src/config";
import { COLUMNS, pgInserter, sqliteInserter, type Row } from "../../src/gateway/ledger-rows";
import { prepareLedger } from "../../src/gateway/ledger-schema";
import { sqlitePath } from "../../src/config/db/database";
import { SQL } from "bun";
import { rng } from "./random";

/** One seeded row, by column name. */
export type SeedRow = Record<(typeof COLUMNS)[number], string | number | null>;

/** Writes `n` rows (ending now, spread over `days` days) into the ledger at `url`; returns them by column. */
export async function seedLedger(url: string, n: number, days = 5, seed = 7, batch = 500, sessions = 12): Promise<SeedRow[]> {
  const db = await openDatabase(url, "seed");
  await prepareLedger(db.sql);
  await db.close();
  const inserter = url.startsWith("postgres") ? pgInserter(new SQL(url, { max: 1 })) : sqliteInserter(sqlitePath(url));
  const rows = seedRows(n, days, seed, sessions);
  for (let i = 0; i < rows.length; i += batch) await inserter.insert(rows.slice(i, i + batch));
  await inserter.close();
  return rows.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i] ?? null])) as SeedRow);
}

/** The rows themselves, reproducible from the seed. */
export function seedRows(n: number, days: number, seed: number, sessions = 12): Row[] {
  const next = rng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
  const now = Date.now();
  const keys: [string | null, string | null][] = [
    ["acme", "alice"],
    ["acme", "bob"],
    ["beta", "carol"],
    [null, null],
  ];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const [org, user] = pick(keys);
    const status = next() < 0.08 ? pick([429, 500, 502]) : 200;
    const tokensIn = Math.floor(next() * 5000);
    const cacheRead = Math.floor(tokensIn * next() * 0.9);
    const failover = next() < 0.05;
    rows.push([
      now - days * 86_400_000 + Math.floor(((i + next()) / n) * days * 86_400_000), // in time order, as a gateway writes them
      `req_${seed.toString(16).padStart(12, "0")}${i.toString(36).padStart(7, "0")}`, // as the gateway makes them: a prefix and a counter
      org,
      user,
      pick(["claude-x", "gpt-y", "gemini-z"]),
      pick(["default:1", "default:2", "spare"]),
      "upstream-m",
      status,
      tokensIn,
      Math.floor(next() * 800),
      Math.round(next() * 1e6) / 1e8,
      Math.round(next() * 4000 * 10) / 10,
      next() < 0.5 ? Math.round(next() * 900) : null,
      next() < 0.7 ? `sess-${Math.floor(next() * sessions)}` : null,
      next() < 0.03 ? "stream_text" : null,
      cacheRead,
      Math.floor(next() * 100),
      Math.round(next() * 1e5) / 1e8,
      next() < 0.2 ? `agent-${Math.floor(next() * 3)}` : null,
      failover ? 2 : 1,
      status >= 400 ? "upstream_error" : "ok",
      status >= 400 ? `upstream said ${status}` : null,
      failover ? JSON.stringify([{ backend: "spare", kind: "timeout" }]) : null,
    ]);
  }
  return rows;
}
