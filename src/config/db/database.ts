// A configuration database: SQLite (a file, through Bun's SQL client over bun:sqlite) or PostgreSQL (Bun's
// SQL client), chosen by the URL. Both speak the same SQL here, with $1 placeholders.
import { SQL } from "bun";
import { SECRET_PARAMS, redactUrls } from "../../core";

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

/** The file a SQLite URL names (sqlite://path, file:path, or the path itself). */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, "").replace(/^file:(\/\/)?/i, "");
}

/** A URL with its secrets (the user-info password, `?password=…` and the like) replaced by ***. */
export function redactUrl(url: string): string {
  return redactUrls(url);
}

/** A driver's message with the URL, and each secret in it, hidden. */
function scrub(message: string, url: string, label: string): string {
  let out = message.split(url).join(label);
  const secrets = [...url.matchAll(SECRET_PARAMS)].map((m) => m[2]!);
  const at = url.lastIndexOf("@"),
    colon = url.indexOf(":", url.indexOf("://") + 3);
  if (at > 0 && colon > 0 && colon < at) secrets.push(url.slice(colon + 1, at));
  for (const s of secrets) {
    if (s.length < 3) continue;
    out = out.split(s).join("***");
    try {
      out = out.split(decodeURIComponent(s)).join("***");
    } catch {
      // not percent-encoded text
    }
  }
  return out;
}

/** Opens (and for SQLite creates) the database; throws a plain message when it cannot be reached. */
export async function openDatabase(url: string, what = "config database"): Promise<ConfigDatabase> {
  const kind = databaseKind(url);
  const label = redactUrl(url);
  let sql: SQL;
  if (kind === "postgres") {
    sql = new SQL(url, { max: 4, connectionTimeout: 5, idleTimeout: 60 });
  } else {
    sql = new SQL(`sqlite://${sqlitePath(url)}`);
  }
  try {
    if (kind === "sqlite") {
      await sql.unsafe(`PRAGMA busy_timeout = 5000`); // first: switching to WAL waits for a writer's lock instead of failing
      await sql.unsafe(`PRAGMA journal_mode = WAL`);
      await sql.unsafe(`PRAGMA foreign_keys = ON`);
    } else {
      await sql.unsafe(`SELECT 1`);
    }
  } catch (err) {
    await sql.close().catch(() => {});
    throw new Error(`cannot open the ${what} ${label}: ${scrub((err as Error).message, url, label)}`);
  }
  return { kind, sql, label, close: () => sql.close() };
}
