// The configuration of a database as a live source: read in one snapshot with its version, validated like
// a file, and watched: PostgreSQL pushes each new version with LISTEN/NOTIFY, and every source also polls the
// version row (the only check on SQLite, the fallback on PostgreSQL), so every instance applies a change
// within a second. A database that goes away is reported once; the last good config keeps serving.
import { log, type Logger } from "../../core";
import { loadConfigValue, type LoadResult } from "../load";
import type { ConfigDatabase } from "./database";
import { migrate } from "./migrations";
import { CHANGE_CHANNEL, configVersion, readConfig } from "./repository";

/** A validated read of the database, with the version it had. */
export type VersionedLoad = LoadResult & { version: number; raw: Record<string, unknown> };

/** Settings a bootstrap YAML file lays over the database's `server` section. */
export type ServerOverrides = Record<string, unknown>;

/** A database holding a configuration: migrated when opened. */
export class DbConfigSource {
  private constructor(
    readonly db: ConfigDatabase,
    private readonly env: Record<string, string | undefined>,
    private readonly serverOverrides: ServerOverrides,
    private readonly logger: Logger,
  ) {}

  /** Opens the source; migrations are applied at once unless `readOnly` (validation). */
  static async open(
    db: ConfigDatabase,
    opts: { env?: Record<string, string | undefined>; serverOverrides?: ServerOverrides; readOnly?: boolean; logger?: Logger } = {},
  ): Promise<DbConfigSource> {
    if (!opts.readOnly) await migrate(db);
    return new DbConfigSource(db, opts.env ?? process.env, opts.serverOverrides ?? {}, opts.logger ?? log);
  }

  /** Reads and validates the configuration (one snapshot: the version and the rows agree). */
  async load(): Promise<VersionedLoad> {
    const read = async (tx: Bun.SQL) => ({ version: await configVersion(tx), raw: await readConfig(tx) });
    let snapshot: { version: number; raw: Record<string, any> };
    try {
      snapshot = this.db.kind === "postgres" ? await this.db.sql.begin("isolation level repeatable read read only", read) : await this.db.sql.begin(read);
    } catch (err) {
      if (/octollm_\w+|no such table|does not exist/.test((err as Error).message)) {
        throw new Error(`${this.db.label} holds no octollm configuration (octollm config import FILE --db URL puts one there)`);
      }
      throw err;
    }
    const { raw, version } = snapshot;
    if (Object.keys(this.serverOverrides).length) raw.server = { ...(raw.server ?? {}), ...this.serverOverrides };
    return { ...loadConfigValue(raw, this.env), version, raw };
  }

  /** The version row alone. */
  version(): Promise<number> {
    return configVersion(this.db.sql);
  }

  /** Calls `changed(version)` for each new version seen (pushed or polled); returns a stop function. */
  watch(known: number, changed: (version: number) => void, pollMs = 500): () => void {
    let seen = known;
    let down = false;
    let stopped = false;
    const saw = (version: number) => {
      if (stopped || version <= seen) return;
      seen = version;
      changed(version);
    };
    const poll = async () => {
      try {
        const version = await this.version();
        if (down) this.logger.info("config database reachable again", { db: this.db.label });
        down = false;
        saw(version);
      } catch (err) {
        if (!down) this.logger.error("config database unreachable; the last good config keeps serving", { db: this.db.label, error: (err as Error).message });
        down = true;
      }
    };
    const timer = setInterval(() => void poll(), pollMs);
    let unlisten: (() => Promise<void>) | undefined;
    if (this.db.kind === "postgres") {
      this.db.sql
        .listen(CHANGE_CHANNEL, (payload) => saw(Number(payload) || seen + 1))
        .then((sub) => (stopped ? void sub.unlisten().catch(() => {}) : (unlisten = () => sub.unlisten())))
        .catch((err) => this.logger.warn("cannot LISTEN for config changes; polling only", { db: this.db.label, error: (err as Error).message }));
    }
    return () => {
      stopped = true;
      clearInterval(timer);
      void unlisten?.().catch(() => {});
    };
  }
}
