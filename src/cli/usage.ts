// `octollm usage --db URL`: what was spent, from the usage ledger's daily rollups, grouped as asked.
import { defineCommand } from "citty";
import { escapeControls } from "../core";
import { openDatabase } from "../config";
import { usageRows } from "../gateway/ledger";

/** The rows of a usage report: one per group, the costliest first. */
export async function usageReport(url: string, since: string, by: string): Promise<Record<string, string | number>[]> {
  const db = await openDatabase(url);
  try {
    return await usageRows(db.sql, since, by);
  } finally {
    await db.close();
  }
}

/** A table cell: every control character written out, line breaks and tabs too. */
const cell = (v: string) => escapeControls(v).replaceAll("\n", "\\n").replaceAll("\t", "\\t");

/** The report as an aligned text table; client-chosen names have their control characters escaped (no forged rows, no escape sequences). */
export function formatReport(rows: Record<string, string | number>[], by: string): string {
  const head =
    by === "session"
      ? [by, "requests", "errors", "tokens_in", "tokens_out", "cache_hit_pct", "cost_usd", "cache_saved_usd", "first_seen", "last_seen"]
      : [by, "requests", "errors", "tokens_in", "tokens_out", "cache_hit_pct", "cost_usd", "cache_saved_usd"];
  const cells = [head, ...rows.map((r) => head.map((h) => cell(String(r[h] ?? ""))))];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ")).join("\n");
}

/** `octollm usage`: the usage ledger's report. */
export const usageCommand = defineCommand({
  meta: { name: "usage", description: "Report what was spent, from the usage ledger (server.usage_db)" },
  args: {
    db: { type: "string", description: "The ledger database: a SQLite path or a postgres:// URL", required: true },
    since: { type: "string", description: "How far back, in days (default 7d)", default: "7d" },
    by: {
      type: "string",
      description: "Group by org, key, model, backend or day (daily rollups), or session (raw rows: cache-hit % and the money the cache saved)",
      default: "org",
    },
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
