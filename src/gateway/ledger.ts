// The usage ledger: one row per request (time, ids, org, key, model, backend, status, tokens, cost, timings) in
// SQLite or PostgreSQL, written in batches off the request path, with daily rollups for reports. A slow or down
// database never blocks traffic: rows wait in memory up to a bound, then are counted as dropped.
import type { SQL } from "bun";
import { log, storeText, type Logger } from "../core";
import { openDatabase, type ConfigDatabase } from "../config";
import type { AccessRecord, RequestObserver } from "../core";
import type { Row } from "./ledger-rows";
import { LedgerWriter } from "./ledger-writer";
import { sessionRows } from "./session-report";
import { prepareLedger } from "./ledger-schema";

/** Ledger settings. */
export interface LedgerOptions {
  /** Rows per insert (default 500). */
  batchSize?: number;
  /** Longest wait before queued rows are written (default 1000 ms). */
  flushMs?: number;
  /** Rows held in memory while the database is slow or down (default 100 000); past it, rows are dropped and counted. */
  maxQueued?: number;
  /** Raw rows older than this are deleted, in small batches (default 90; 0: kept). */
  retentionDays?: number;
  logger?: Logger;
}

/** Writes access records to the usage tables. */
export class UsageLedger implements RequestObserver {
  private queue: Row[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private lastPrune = 0;
  /** Rows written, and rows dropped because the queue was full. */
  written = 0;
  dropped = 0;
  /** Rows the database refused for their content (dropped, so that they never stop the rows after them). */
  rejected = 0;

  private db: ConfigDatabase | undefined; // connected, with the tables made
  private connecting: Promise<ConfigDatabase> | undefined;

  private constructor(
    private readonly url: string,
    private readonly opts: LedgerOptions,
    /** Writes the rows in a worker thread (a 500-row SQLite batch takes about 2 ms there). */
    private readonly writer: LedgerWriter,
  ) {}

  /**
   * Opens (and creates) the ledger's tables in the database at `url`. A database that cannot be reached now does
   * not stop the gateway: rows wait in memory, and the ledger connects when a write next tries (traffic is never held).
   */
  static async open(url: string, opts: LedgerOptions = {}): Promise<UsageLedger> {
    const ledger = new UsageLedger(url, opts, new LedgerWriter(url));
    await ledger
      .connect()
      .catch((err) =>
        (opts.logger ?? log).error("usage ledger: the database cannot be reached; rows wait in memory until it can", { error: (err as Error)?.message }),
      );
    return ledger;
  }

  /** The database with the ledger's tables, connecting (once at a time) when it is not yet. */
  private connect(): Promise<ConfigDatabase> {
    if (this.db) return Promise.resolve(this.db);
    this.connecting ??= (async () => {
      const db = await openDatabase(this.url, "usage ledger database");
      try {
        await prepareLedger(db.sql);
      } catch (err) {
        await db.close().catch(() => {});
        throw err;
      }
      this.db = db;
      return db;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The ledger's database (connecting when it is not yet), for reports and the dashboard. */
  async sql(): Promise<SQL> {
    return (await this.connect()).sql;
  }

  /** Rows waiting to be written. */
  get queued(): number {
    return this.queue.length;
  }

  /** Takes one finished request (never blocks, never throws). */
  ended(rec: AccessRecord): void {
    if (this.queue.length >= (this.opts.maxQueued ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.queue.push([
      Date.now(),
      storeText(rec.rid),
      storeText(rec.org),
      storeText(rec.user),
      storeText(rec.model),
      storeText(rec.backend),
      storeText(rec.upstream_model),
      rec.status,
      rec.tokens_in ?? 0,
      rec.tokens_out ?? 0,
      rec.cost_usd ?? 0,
      rec.ms,
      rec.ttft_ms ?? null,
      storeText(rec.session),
      rec.estimate ?? null,
      rec.cache_read ?? 0,
      rec.cache_write ?? 0,
      rec.cache_saved_usd ?? 0,
      storeText(rec.agent),
      rec.attempts ?? 1,
      rec.outcome ?? null,
      rec.error === undefined ? null : (this.opts.logger ?? log).redact(storeText(rec.error, 500)!), // may quote a client, an upstream or a URL
      rec.upstream_errors?.length ? JSON.stringify(rec.upstream_errors.slice(0, 10)) : null,
    ]);
    if (this.queue.length >= (this.opts.batchSize ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 1000);
  }

  /** Writes what is queued (one batch at a time); rows that fail stay queued for the next try. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) return this.writing;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      if (this.queue.length && !this.timer) this.timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 1000);
    });
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    const size = this.opts.batchSize ?? 500;
    if (this.queue.length && !this.db) {
      try {
        await this.connect();
      } catch (err) {
        return this.waiting(err);
      }
    }
    while (this.queue.length) {
      const batch = this.queue.slice(0, size);
      try {
        await this.writer.insert(batch);
        this.written += batch.length;
      } catch (err) {
        // a database that answers refused the batch for its content: write it row by row and drop the bad rows
        if (!(await this.writer.ping())) return this.waiting(err);
        if (!(await this.writeOneByOne(batch))) return this.waiting(err);
      }
      this.queue.splice(0, batch.length);
    }
    await this.prune();
  }

  private waiting(err: unknown): void {
    (this.opts.logger ?? log).warn("usage ledger: write failed; rows wait in memory", {
      queued: this.queue.length,
      error: (err as Error)?.message ?? String(err),
    });
  }

  /**
   * Writes a refused batch one row at a time; a row the database refuses while it answers is dropped and counted
   * (`rejected`), never retried forever. False when the database stopped answering (the rest of the batch waits).
   */
  private async writeOneByOne(batch: Row[]): Promise<boolean> {
    for (const [i, row] of batch.entries()) {
      try {
        await this.writer.insert([row]);
        this.written++;
      } catch (err) {
        if (!(await this.writer.ping())) {
          this.queue.splice(0, i); // the rows written so far are not written again
          return false;
        }
        this.rejected++;
        (this.opts.logger ?? log).warn("usage ledger: a row the database refused was dropped", {
          request_id: row[1],
          error: (err as Error)?.message ?? String(err),
        });
      }
    }
    return true;
  }

  /** Deletes raw rows past the retention, at most 5 000 per run, at most once a minute (the rollups stay). */
  private async prune(): Promise<void> {
    const days = this.opts.retentionDays ?? 90;
    if (!days || Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    const cutoff = Date.now() - days * 86_400_000;
    await this.writer.prune(cutoff).catch(() => {});
  }

  /** An org's usage since a UTC day (YYYY-MM-DD), by model, from the daily rollups. */
  async orgUsage(org: string, sinceDay: string): Promise<Record<string, number | string>[]> {
    const rows = (await (
      await this.connect()
    ).sql.unsafe(
      `SELECT model, SUM(requests) AS requests, SUM(errors) AS errors, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cost_usd) AS cost_usd, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write, SUM(cache_saved_usd) AS cache_saved_usd FROM usage_daily WHERE org = $1 AND day >= $2 GROUP BY model ORDER BY model`,
      [org, sinceDay],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      model: String(r.model),
      requests: Number(r.requests),
      errors: Number(r.errors),
      tokens_in: Number(r.tokens_in),
      tokens_out: Number(r.tokens_out),
      cost_usd: Number(r.cost_usd),
      cache_read: Number(r.cache_read),
      cache_write: Number(r.cache_write),
      cache_saved_usd: Math.round(Number(r.cache_saved_usd) * 1e6) / 1e6,
    }));
  }

  /** The report `octollm usage` prints, from this ledger's database. */
  async report(since: string, by: string): Promise<Record<string, string | number>[]> {
    return usageRows((await this.connect()).sql, since, by);
  }

  /** Writes what is left (within `timeoutMs`) and closes the database. */
  async close(timeoutMs = 5000): Promise<void> {
    await Promise.race([this.flush(), Bun.sleep(timeoutMs)]);
    await this.db?.close().catch(() => {});
    await this.writer.close();
  }
}

const GROUPS: Record<string, string> = { org: "org", key: "org || '/' || key_user", model: "model", backend: "backend", day: "day" };

/** A usage report from the daily rollups since `since` (like 7d), grouped by org, key, model, backend or day; the costliest first. */
export async function usageRows(sql: SQL, since: string, by: string): Promise<Record<string, string | number>[]> {
  const group = GROUPS[by];
  if (!group && by !== "session") throw new Error(`--by must be one of ${[...Object.keys(GROUPS), "session"].join(", ")}`);
  const m = /^(\d{1,5})d$/.exec(since);
  if (!m) throw new Error("--since must be a number of days, like 7d");
  if (!group) return sessionRows(sql, Date.now() - Number(m[1]) * 86_400_000);
  const from = new Date(Date.now() - Number(m[1]) * 86_400_000).toISOString().slice(0, 10);
  const rows = (await sql.unsafe(
    `SELECT ${group} AS grp, SUM(requests) AS requests, SUM(errors) AS errors, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cost_usd) AS cost_usd, SUM(cache_read) AS cache_read, SUM(cache_saved_usd) AS cache_saved_usd FROM usage_daily WHERE day >= $1 GROUP BY ${group} ORDER BY cost_usd DESC, grp`,
    [from],
  )) as Record<string, unknown>[];
  return rows.map((r) => ({
    [by]: String(r.grp ?? ""),
    requests: Number(r.requests),
    errors: Number(r.errors),
    tokens_in: Number(r.tokens_in),
    tokens_out: Number(r.tokens_out),
    cache_hit_pct: Number(r.tokens_in) > 0 ? Math.round((Number(r.cache_read) / Number(r.tokens_in)) * 1000) / 10 : 0,
    cost_usd: Math.round(Number(r.cost_usd) * 1e6) / 1e6,
    cache_saved_usd: Math.round(Number(r.cache_saved_usd) * 1e6) / 1e6,
  }));
}
