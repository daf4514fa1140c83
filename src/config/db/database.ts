// A configuration database: SQLite (a file, through Bun's SQL client over bun:sqlite) or PostgreSQL (Bun's
// SQL client), chosen by the URL. Both speak the same SQL here, with $1 placeholders.
import { SQL } from "bun";

/** An open configuration database. */
export interface ConfigDatabase {
  kind: "sqlite" | "postgres";
  sql: SQL;
  /** The URL with any password hidden, for logs and messages. */
  label: string;
  close(): Promise<void>;
}

/** The kind of database a URL names: postgres:// or postgresql://, else SQLite (sqlite://path, file:path or a plain path). */
export function databaseKind(url: string): "sqlite" | "postgres" {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "sqlite";
}

/** A URL with its password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

/** Opens (and for SQLite creates) the database; throws a plain message when it cannot be reached. */
export async function openDatabase(url: string): Promise<ConfigDatabase> {
  const kind = databaseKind(url);
  const label = redactUrl(url);
  let sql: SQL;
  if (kind === "postgres") {
    sql = new SQL(url, { max: 4, connectionTimeout: 5, idleTimeout: 60 });
  } else {
    const path = url.replace(/^sqlite:(\/\/)?/i, "").replace(/^file:(\/\/)?/i, "");
    sql = new SQL(`sqlite://${path}`);
  }
  try {
    if (kind === "sqlite") {
      await sql.unsafe(`PRAGMA journal_mode = WAL`);
      await sql.unsafe(`PRAGMA busy_timeout = 5000`);
      await sql.unsafe(`PRAGMA foreign_keys = ON`);
    } else {
      await sql.unsafe(`SELECT 1`);
    }
  } catch (err) {
    await sql.close().catch(() => {});
    throw new Error(`cannot open the config database ${label}: ${(err as Error).message}`);
  }
  return { kind, sql, label, close: () => sql.close() };
}
