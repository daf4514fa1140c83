// Dashboard sessions in the config database, so that every instance of a fleet behind one address knows them:
// signed in through one, the browser's next request may reach another; a logout ends the session on all. The
// database holds each session id's SHA-256 (a reader of the table cannot take over a session), its CSRF token,
// the admin key's fingerprint and when it was last used (written at most once a minute per session).
import type { SQL } from "bun";
import { createHash } from "node:crypto";
import { IDLE_MS, randomToken, type SessionStore, type UiSession } from "./sessions";

const TABLE = `CREATE TABLE IF NOT EXISTS octollm_ui_sessions (id_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, key_print TEXT NOT NULL, last_seen BIGINT NOT NULL)`;
const TOUCH_MS = 60_000;

const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

/** Sessions kept in a config database. */
export class DbSessions implements SessionStore {
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly sql: SQL,
    private readonly now: () => number = Date.now,
  ) {}

  private prepare(): Promise<unknown> {
    this.ready ??= this.sql.unsafe(TABLE).catch((err) => {
      this.ready = undefined; // tried again on the next use
      throw err;
    });
    return this.ready;
  }

  async open(keyPrint: string): Promise<UiSession> {
    await this.prepare();
    const now = this.now();
    await this.sql.unsafe(`DELETE FROM octollm_ui_sessions WHERE last_seen < $1`, [now - IDLE_MS]); // the idle ones go
    const session = { id: randomToken(), csrf: randomToken(), keyPrint, lastSeen: now };
    await this.sql.unsafe(`INSERT INTO octollm_ui_sessions (id_hash, csrf, key_print, last_seen) VALUES ($1, $2, $3, $4)`, [
      hashOf(session.id),
      session.csrf,
      keyPrint,
      now,
    ]);
    return session;
  }

  async get(id: string | undefined, keyPrint: string): Promise<UiSession | undefined> {
    if (!id || id.length > 64) return undefined;
    await this.prepare();
    const hash = hashOf(id);
    const [row] = (await this.sql.unsafe(`SELECT csrf, key_print, last_seen FROM octollm_ui_sessions WHERE id_hash = $1`, [hash])) as {
      csrf: string;
      key_print: string;
      last_seen: unknown;
    }[];
    if (!row) return undefined;
    const now = this.now();
    const lastSeen = Number(row.last_seen);
    if (row.key_print !== keyPrint || now - lastSeen > IDLE_MS) {
      await this.sql.unsafe(`DELETE FROM octollm_ui_sessions WHERE id_hash = $1`, [hash]);
      return undefined;
    }
    if (now - lastSeen > TOUCH_MS) await this.sql.unsafe(`UPDATE octollm_ui_sessions SET last_seen = $1 WHERE id_hash = $2`, [now, hash]);
    return { id, csrf: row.csrf, keyPrint, lastSeen: now };
  }

  async end(id: string): Promise<void> {
    await this.prepare();
    await this.sql.unsafe(`DELETE FROM octollm_ui_sessions WHERE id_hash = $1`, [hashOf(id)]);
  }
}
