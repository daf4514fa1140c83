// The admin API (database mode), guarded by its own key: list, create and revoke API keys; read the config;
// replace a model's backends and weights. Each write is one transaction that is validated as a whole config
// before it commits, so a bad change is refused with its problems and nothing is stored; a good one bumps
// the version, which every instance picks up (LISTEN/NOTIFY or polling).
import { keyCheck } from "../server";
import { formatProblem, loadConfigValue } from "../config/load";
import type { DbConfigSource } from "../config/db/source";
import { readConfig, writeConfig } from "../config/db/repository";
import { AdminError, adminRoutes, json } from "./admin-routes";
import { AuthThrottle, adminRefusal } from "./auth-throttle";

/** What the admin API needs. */
export interface AdminOptions {
  source: DbConfigSource;
  /** The key callers must send (Bearer or x-api-key). */
  adminKey: string;
  /** Called after a committed write (this instance reloads at once instead of waiting for its poll). */
  onWrite?: (version: number) => void;
  env?: Record<string, string | undefined>;
  /** Refuses addresses after repeated failed authentications (default: 10 a minute). */
  throttle?: AuthThrottle;
}

/** The admin handler: a request and, when served by Bun, its server (for the client's address). */
export type AdminHandler = (req: Request, server?: { requestIP(req: Request): { address: string } | null }) => Promise<Response>;

/** The handler of every /admin path. */
export function adminHandler(opts: AdminOptions): AdminHandler {
  const throttle = opts.throttle ?? new AuthThrottle();
  const db = opts.source.db;
  const authorized = keyCheck(opts.adminKey);

  /** A write, validated as a whole config before it commits. */
  const write = async (change: (tx: Bun.SQL) => Promise<void>): Promise<number> => {
    const version = await writeConfig(db, async (tx) => {
      await change(tx);
      const result = loadConfigValue(await readConfig(tx), opts.env ?? process.env);
      if (!result.ok)
        throw new AdminError(
          400,
          "the change would make the config invalid; nothing was stored",
          result.problems.map((p) => formatProblem("config", p)),
        );
    });
    opts.onWrite?.(version);
    return version;
  };

  const routes = adminRoutes({ db, source: opts.source, write });

  return async (req, server) => {
    const refused = adminRefusal(throttle, authorized, req, server);
    if (refused) return refused;
    const path = new URL(req.url).pathname;
    const matching = routes.filter(([, re]) => re.test(path));
    const route = matching.find(([method]) => method === req.method);
    if (!route) {
      return matching.length
        ? json(405, { error: { type: "method_not_allowed", message: `${req.method} is not allowed here (allowed: ${matching.map(([x]) => x).join(", ")})` } })
        : json(404, { error: { type: "not_found", message: `no admin route ${req.method} ${path}` } });
    }
    try {
      return await route[2](req, route[1].exec(path)!);
    } catch (err) {
      if (err instanceof AdminError)
        return json(err.status, { error: { type: "invalid_request", message: err.message, ...(err.problems ? { problems: err.problems } : {}) } });
      return json(503, { error: { type: "database_error", message: `the config database failed: ${(err as Error).message}` } });
    }
  };
}
