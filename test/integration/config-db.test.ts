// Configuration from a database, on the real PostgreSQL at 127.0.0.1:5432 and on SQLite: import/export round
// trip, a fleet of two gateway processes following admin API writes within a second, bad changes refused,
// and the database missing at start or going away later.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { $ } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DbConfigSource, loadConfigText, loadConfigValue, openDatabase, readConfig, replaceConfig, writeConfig, type Config } from "../../src/config";
import { hashApiKey } from "../../src/engines";
import { startServe, type GatewayProcess } from "../helpers/binary";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { startTcpProxy } from "../helpers/tcp-proxy";

const root = resolve(import.meta.dir, "../..");
const cli = (...args: string[]) => $`${process.execPath} ${join(root, "src/cli/main.ts")} ${args}`.cwd(root).quiet().nothrow();
const ADMIN = "admin-key-for-tests-0123456789";
const FLEET_CONFIG = `
models:
  m:
    access: internal
    backends:
      default:1: { provider: mock, mock: { text: "from a" } }
      b: { provider: mock, mock: { text: "from b" } }
users:
  acme:
    api_keys: { alice: sk-acme-alice-key }
`;

/** A config with its plaintext keys replaced by their hashes (what a database gives back). */
function hashedKeys(config: Config): Config {
  const users = Object.fromEntries(
    Object.entries(config.users).map(([org, def]) => [
      org,
      {
        ...def,
        api_keys: Object.fromEntries(Object.entries(def.api_keys).map(([u, k]) => [u, hashApiKey(k)])),
      },
    ]),
  );
  return { ...config, users };
}

const serve = (url: string, extraEnv: Record<string, string> = {}) =>
  startServe([process.execPath, join(root, "src/cli/main.ts"), "serve", "--config-db", url, "--host", "127.0.0.1", "--port", "0"], {
    OCTOLLM_ADMIN_KEY: ADMIN,
    ...extraEnv,
  });
const ask = (gw: GatewayProcess, key?: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  });
const admin = (gw: GatewayProcess, method: string, path: string, body?: object) =>
  fetch(`${gw.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
/** Milliseconds until `ok()` holds (polled every 10 ms, at most 5 s). */
async function timeUntil(ok: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 5000) {
    if (await ok()) return performance.now() - started;
    await Bun.sleep(10);
  }
  return Infinity;
}

async function importText(url: string, yaml: string): Promise<number> {
  const db = await openDatabase(url);
  await DbConfigSource.open(db);
  const { parseDocument } = await import("yaml");
  const version = await writeConfig(db, (tx) => replaceConfig(tx, parseDocument(yaml).toJS(), {}));
  await db.close();
  return version;
}

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`${kind}`, () => {
    let url = "";
    let drop = async () => {};
    beforeAll(async () => {
      if (kind === "postgres") ({ url, drop } = await freshPostgres());
      else url = `sqlite://${freshSqlitePath()}`;
    });
    afterAll(() => drop());

    test("every example: import, then export, gives an equal config (API keys as their hashes)", async () => {
      const dir = join(root, "examples");
      for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
        const text = await Bun.file(join(dir, f)).text();
        const original = loadConfigText(text, {});
        if (!original.ok) throw new Error(`${f} does not validate`);
        await importText(url, text);
        const db = await openDatabase(url);
        const back = loadConfigValue(await readConfig(db.sql), {});
        await db.close();
        expect({ f, config: back.ok ? back.config : back.problems }).toEqual({ f, config: hashedKeys(original.config) });
      }
    });

    test("the CLI: config import, validate --db, config export (YAML that validates as the same config)", async () => {
      const file = join(root, "examples/config-models-with-auth.yaml");
      const imported = await cli("config", "import", file, "--db", url);
      expect(imported.stderr.toString()).toBe("");
      expect(imported.stdout.toString()).toMatch(/^imported .* 3 models, 2 orgs, 3 API keys \(hashed\); version \d+\n$/);
      const validated = await cli("validate", "--db", url);
      expect(validated.exitCode).toBe(0);
      expect(validated.stdout.toString()).toMatch(/\(version \d+\): OK \(3 models: demo, gpt-4o-mini, gpt-4o\)/);
      const exported = await cli("config", "export", "--db", url);
      const again = loadConfigText(exported.stdout.toString(), {});
      const original = loadConfigText(await Bun.file(file).text(), {});
      expect(again.ok && original.ok && again.config).toEqual(original.ok ? hashedKeys(original.config) : false);
      expect(exported.stdout.toString()).not.toContain("sk-research"); // no plaintext key anywhere
    });

    test("two gateways on one database accept a key created through the admin API within 1 s, and refuse it within 1 s of its revocation", async () => {
      await importText(url, FLEET_CONFIG);
      const a = await serve(url),
        b = await serve(url);
      try {
        expect((await ask(a, "sk-acme-alice-key")).status).toBe(200);
        const created = await admin(a, "POST", "/keys", { org: "acme", user: "bob" });
        expect(created.status).toBe(201);
        const { key, id } = (await created.json()) as { key: string; id: string };
        expect(key).toStartWith("sk-octo-");
        const accepted = await timeUntil(async () => (await ask(a, key)).status === 200 && (await ask(b, key)).status === 200);
        expect(accepted).toBeLessThan(1000);
        const listed = (await (await admin(b, "GET", "/keys")).json()) as { keys: { id: string; user: string }[] };
        expect(listed.keys.map((k) => k.user).sort()).toEqual(["alice", "bob"]);
        expect(JSON.stringify(listed)).not.toContain(key);
        expect((await admin(a, "POST", "/keys", { org: "acme", user: "bob" })).status).toBe(409);
        expect((await admin(b, "DELETE", `/keys/${id}`)).status).toBe(200);
        const refused = await timeUntil(async () => (await ask(a, key)).status === 401 && (await ask(b, key)).status === 401);
        expect(refused).toBeLessThan(1000);
        expect((await ask(a, "sk-acme-alice-key")).status).toBe(200);
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    test("a model's backends and weights change through the admin API on every instance; a bad change is refused and service is unchanged", async () => {
      await importText(url, FLEET_CONFIG);
      const a = await serve(url),
        b = await serve(url);
      const text = async (gw: GatewayProcess) => ((await (await ask(gw, "sk-acme-alice-key")).json()) as any).choices[0].message.content as string;
      try {
        expect(await text(b)).toContain("from a");
        const bad = await admin(a, "PUT", "/models/m/backends", { backends: { b: { provider: "mock" } } }); // no default pool
        expect(bad.status).toBe(400);
        expect(((await bad.json()) as any).error.problems).toEqual(["config models.m.backends: needs at least one backend named default:<weight>"]);
        expect((await admin(a, "PUT", "/models/nope/backends", { backends: {} })).status).toBe(404);
        expect((await admin(a, "PUT", "/models/m/backends", { backends: { "default:1": { provider: "mock", mock: { text: "from c" } } } })).status).toBe(200);
        expect(await timeUntil(async () => (await text(a)).includes("from c") && (await text(b)).includes("from c"))).toBeLessThan(1000);
        expect((await admin(a, "GET", "/keys", undefined)).status).toBe(200);
        expect((await fetch(`${a.url}/admin/keys`)).status).toBe(401);
        expect((await fetch(`${a.url}/admin/keys`, { headers: { authorization: "Bearer wrong-admin-key-0123456789" } })).status).toBe(401);
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    test("an org's budgets are set and removed through the admin API, enforced within a second; a bad one is refused", async () => {
      await importText(url, FLEET_CONFIG.replace(`mock: { text: "from a" } }`, `mock: { text: "from a" }, price: { input: 1, output: 1 } }`));
      const a = await serve(url);
      try {
        expect((await ask(a, "sk-acme-alice-key")).status).toBe(200);
        const bad = await admin(a, "PUT", "/orgs/acme/budgets", { budgets: { usd_per_day: -1 } });
        expect([bad.status, ((await bad.json()) as any).error.problems[0]]).toEqual([400, expect.stringContaining("users.acme.budgets.usd_per_day")]);
        expect((await admin(a, "PUT", "/orgs/nope/budgets", { budgets: { usd_total: 1 } })).status).toBe(404);
        expect((await admin(a, "PUT", "/orgs/acme/budgets", { limits: {} })).status).toBe(400);
        // each request reserves its 4 096-token output cap (server.max_output_reservation) at $1 per million: past a $0.004 budget
        expect((await admin(a, "PUT", "/orgs/acme/budgets", { budgets: { usd_per_day: 0.004 } })).status).toBe(200);
        expect(await timeUntil(async () => (await ask(a, "sk-acme-alice-key")).status === 429)).toBeLessThan(1000);
        const refused = (await (await ask(a, "sk-acme-alice-key")).json()) as any;
        expect(refused.error.type).toBe("budget_exceeded");
        expect((await admin(a, "PUT", "/orgs/acme/budgets", { budgets: null })).status).toBe(200);
        expect(await timeUntil(async () => (await ask(a, "sk-acme-alice-key")).status === 200)).toBeLessThan(1000);
      } finally {
        await a.stop();
      }
    });

    test("a bad change written straight into the database is refused with a log line; the last good config keeps serving", async () => {
      await importText(url, FLEET_CONFIG);
      const a = await serve(url);
      try {
        const db = await openDatabase(url);
        await writeConfig(db, async (tx) => {
          await tx.unsafe(`UPDATE octollm_models SET access = 'secret' WHERE name = 'm'`);
        });
        await db.close();
        expect(await timeUntil(async () => a.stderr().includes("config reload refused"))).toBeLessThan(2000);
        expect(a.stderr()).toContain("models.m.access: ");
        expect((await ask(a, "sk-acme-alice-key")).status).toBe(200);
        expect((await ask(a)).status).toBe(404); // still internal: anonymous callers are told it is not served to them
      } finally {
        await a.stop();
      }
    });
  });
}

test("serve -c with a bootstrap file that names the database: its server keys win", async () => {
  const url = `sqlite://${freshSqlitePath()}`;
  await importText(url, `server: { access_log: false }\n${FLEET_CONFIG}`);
  const file = join(freshSqlitePath().replace(/config\.db$/, ""), "bootstrap.yaml");
  await Bun.write(file, `server:\n  config_db: "${url}"\n  access_log: true\n`);
  const gw = await startServe([process.execPath, join(root, "src/cli/main.ts"), "serve", "-c", file, "--host", "127.0.0.1", "--port", "0"]);
  try {
    expect((await ask(gw, "sk-acme-alice-key")).status).toBe(200);
    expect(gw.stderr()).toContain("version 1");
    expect(await timeUntil(async () => gw.stdout().includes('"msg":"access"'))).toBeLessThan(1000); // the file's access_log: true won
  } finally {
    await gw.stop();
  }
});

describe("the database away", () => {
  test("at start: a clear error and exit code 1, for an unreachable PostgreSQL and an empty database", async () => {
    const down = await serve("postgres://postgres@127.0.0.1:9/test").then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(down).toContain("octollm: refusing to start: cannot open the config database postgres://postgres@127.0.0.1:9/test");
    const empty = await serve(`sqlite://${freshSqlitePath()}`).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(empty).toContain("at least one model is required");
    const proc = Bun.spawn([process.execPath, join(root, "src/cli/main.ts"), "serve", "--config-db", "postgres://u:secret@127.0.0.1:9/test"], {
      stderr: "pipe",
    });
    expect(await proc.exited).toBe(1);
    const err = await new Response(proc.stderr).text();
    expect(err).toContain("postgres://u:***@127.0.0.1:9/test");
    expect(err).not.toContain("secret");
  });

  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  beforeAll(async () => (pg = await freshPostgres()));
  afterAll(() => pg.drop());
  test("later: the last good config keeps serving while PostgreSQL is away, and changes made meanwhile apply when it returns", async () => {
    await importText(pg.url, FLEET_CONFIG);
    const target = new URL(pg.url);
    const proxy = startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = pg.url.replace(`${target.hostname}:${target.port}`, `127.0.0.1:${proxy.port}`);
    const gw = await serve(viaProxy);
    try {
      expect((await ask(gw, "sk-acme-alice-key")).status).toBe(200);
      proxy.stop();
      expect(await timeUntil(async () => gw.stderr().includes("config database unreachable"))).toBeLessThan(3000);
      for (let i = 0; i < 5; i++) expect((await ask(gw, "sk-acme-alice-key")).status).toBe(200);
      // a change made while this instance cannot see the database
      const db = await openDatabase(pg.url);
      await writeConfig(db, async (tx) => {
        await tx.unsafe(`UPDATE octollm_model_backends SET settings = $1 WHERE model = 'm' AND name = 'default:1'`, [
          JSON.stringify({ provider: "mock", mock: { text: "after the outage" } }),
        ]);
      });
      await db.close();
      proxy.start();
      const content = async () => ((await (await ask(gw, "sk-acme-alice-key")).json()) as any).choices[0].message.content as string;
      expect(await timeUntil(async () => (await content()).includes("after the outage"))).toBeLessThan(5000);
      expect(gw.stderr()).toContain("config database reachable again");
    } finally {
      await gw.stop();
      proxy.stop();
    }
  });
});
