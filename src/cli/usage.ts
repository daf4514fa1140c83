// `octollm usage --db URL`: what was spent, from the usage ledger's daily rollups, grouped as asked.
import { defineCommand } from "citty";
import { openDatabase } from "../config";

const GROUPS: Record<string, string> = { org: "org", key: "org || '/' || key_user", model: "model", backend: "backend", day: "day" };

/** The rows of a usage report: one per group, the costliest first. */
export async function usageReport(url: string, since: string, by: string): Promise<Record<string, string | number>[]> {
  const group = GROUPS[by];
  if (!group) throw new Error(`--by must be one of ${Object.keys(GROUPS).join(", ")}`);
  const m = /^(\d{1,5})d$/.exec(since);
  if (!m) throw new Error(`--since must be a number of days, like 7d`);
  const from = new Date(Date.now() - Number(m[1]) * 86_400_000).toISOString().slice(0, 10);
  const db = await openDatabase(url);
  try {
    const rows = await db.sql.unsafe(
      `SELECT ${group} AS grp, SUM(requests) AS requests, SUM(errors) AS errors, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cost_usd) AS cost_usd FROM usage_daily WHERE day >= $1 GROUP BY ${group} ORDER BY cost_usd DESC, grp`,
      [from],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({
      [by]: String(r.grp ?? ""),
      requests: Number(r.requests),
      errors: Number(r.errors),
      tokens_in: Number(r.tokens_in),
      tokens_out: Number(r.tokens_out),
      cost_usd: Math.round(Number(r.cost_usd) * 1e6) / 1e6,
    }));
  } finally {
    await db.close();
  }
}

/** The report as an aligned text table. */
export function formatReport(rows: Record<string, string | number>[], by: string): string {
  const head = [by, "requests", "errors", "tokens_in", "tokens_out", "cost_usd"];
  const cells = [head, ...rows.map((r) => head.map((h) => String(r[h] ?? "")))];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ")).join("\n");
}

/** `octollm usage`: the usage ledger's report. */
export const usageCommand = defineCommand({
  meta: { name: "usage", description: "Report what was spent, from the usage ledger (server.usage_db)" },
  args: {
    db: { type: "string", description: "The ledger database: a SQLite path or a postgres:// URL", required: true },
    since: { type: "string", description: "How far back, in days (default 7d)", default: "7d" },
    by: { type: "string", description: "Group by org, key, model, backend or day (default org)", default: "org" },
    json: { type: "boolean", description: "Print JSON instead of a table", default: false },
  },
  async run({ args }) {
    try {
      const rows = await usageReport(args.db, args.since, args.by);
      console.log(args.json ? JSON.stringify(rows, null, 2) : formatReport(rows, args.by));
    } catch (err) {
      console.error(`octollm usage: ${(err as Error).message}`);
      process.exit(1);
    }
  },
});
