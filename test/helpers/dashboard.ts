// A listening gateway with its dashboard (from a config value or a config database), and a signed-in API client for it.
import { parseDocument } from "yaml";
import { DbConfigSource, openDatabase, replaceConfig, writeConfig } from "../../src/config";
import { createGateway } from "../../src/gateway";
import { freshSqlitePath } from "./databases";
import { createLoggedGateway } from "./gateway";

export const ADMIN_KEY = "admin-key-for-dashboard-tests-0123456789";

/** A signed-in dashboard session: its cookie and CSRF token. */
export interface UiLogin {
  cookie: string;
  csrf: string;
}

/** Starts a gateway from YAML on a free loopback port. */
export async function dashboardGateway(yaml: string, env: Record<string, string> = {}) {
  const { gw, lines } = await createLoggedGateway(yaml, env);
  const server = gw.listen("127.0.0.1", 0);
  const url = `http://127.0.0.1:${server.port}`;
  return {
    gw,
    lines,
    url,
    /** Signs in with a key; the session's cookie and CSRF token. */
    async signIn(key = ADMIN_KEY): Promise<UiLogin> {
      const res = await fetch(`${url}/admin/ui/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify({ key }),
      });
      if (res.status !== 200) throw new Error(`sign-in refused: ${res.status} ${await res.text()}`);
      const cookie = /octollm_ui=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
      return { cookie: `octollm_ui=${cookie}`, csrf: ((await res.json()) as { csrf: string }).csrf };
    },
    /** Calls the dashboard API as a signed-in browser would (its origin, cookie and CSRF token). */
    api(login: UiLogin, path: string, init: { method?: string; body?: unknown; csrf?: string | null; origin?: string } = {}) {
      const headers: Record<string, string> = { cookie: login.cookie, origin: init.origin ?? url };
      if (init.method && init.method !== "GET" && init.csrf !== null) headers["x-csrf-token"] = init.csrf ?? login.csrf;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      return fetch(`${url}/admin/ui/api/${path}`, {
        method: init.method ?? "GET",
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    },
    stop: () => gw.shutdown(100),
  };
}

/** A mock-backed config with a ledger, priced answers and two orgs. */
export function dashboardConfig(extraServer = "", usageDb?: string): string {
  return `
server:
  admin_key: ${ADMIN_KEY}
${usageDb ? `  usage_db: ${usageDb}\n` : ""}${extraServer}
backends:
  mock: { provider: mock, price: { input: 3, output: 15 } }
models:
  mock-gpt: { backends: { "default:1": { use: mock } } }
users:
  acme:
    api_keys: { alice: sk-acme-alice-123456, bob: sk-acme-bob-1234567 }
    budgets: { usd_per_day: 5 }
    models: { mock-gpt: }
  beta:
    api_keys: { carol: sk-beta-carol-12345 }
    models: { mock-gpt: }
`;
}

/** A gateway on a fresh SQLite config database holding dashboardConfig()'s models and orgs (or on `existing`, a second instance), its admin key from the environment. */
export async function databaseGateway(existing?: string) {
  const url = existing ?? `sqlite://${freshSqlitePath()}`;
  if (!existing) {
    const db = await openDatabase(url);
    await DbConfigSource.open(db);
    const yaml = dashboardConfig().replace(/server:\n {2}admin_key: .*\n/, "");
    await writeConfig(db, (tx) => replaceConfig(tx, parseDocument(yaml).toJS(), {}));
    await db.close();
  }
  const gw = await createGateway({ source: { database: url }, env: { OCTOLLM_ADMIN_KEY: ADMIN_KEY }, accessLog: { sink: { write: () => {} } } });
  const server = gw.listen("127.0.0.1", 0);
  return { gw, url: `http://127.0.0.1:${server.port}`, database: url, stop: () => gw.shutdown(100) };
}
