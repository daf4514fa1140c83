// #12.8, #12.11, #12.18: the admin API under guessing, concurrent writes on PostgreSQL, malformed paths;
// and the same minimum length for the admin key from the environment as from the config.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { DbConfigSource, openDatabase, replaceConfig, writeConfig } from "../../src/config";
import { AuthThrottle } from "../../src/admin";
import { startServe, type GatewayProcess } from "../helpers/binary";
import { freshPostgres } from "../helpers/databases";

const root = resolve(import.meta.dir, "../..");
const ADMIN = "admin-key-for-tests-0123456789";
const CONFIG = {
  models: { m: { access: "internal", backends: { "default:1": { provider: "mock" } } } },
  users: { acme: { api_keys: { alice: "sk-acme-alice-key" } } },
};
const serve = (url: string, env: Record<string, string>) =>
  startServe([process.execPath, join(root, "src/cli/main.ts"), "serve", "--config-db", url, "--host", "127.0.0.1", "--port", "0"], env);

let pg: Awaited<ReturnType<typeof freshPostgres>>;
let gw: GatewayProcess;
beforeAll(async () => {
  pg = await freshPostgres();
  const db = await openDatabase(pg.url);
  await DbConfigSource.open(db);
  await writeConfig(db, (tx) => replaceConfig(tx, CONFIG, {}));
  await db.close();
  gw = await serve(pg.url, { OCTOLLM_ADMIN_KEY: ADMIN });
});
afterAll(async () => {
  await gw?.stop();
  await pg?.drop();
});

const admin = (method: string, path: string, key = ADMIN, body?: object, base = gw.url) =>
  fetch(`${base}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });

describe("admin API", () => {
  test("10 key creations for a new org at once all succeed on PostgreSQL", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => admin("POST", "/keys", ADMIN, { org: "neworg", user: `u${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses).toEqual(Array(10).fill(201));
    const keys = (await (await admin("GET", "/keys")).json()) as any;
    expect(keys.keys.filter((k: any) => k.org === "neworg").length).toBe(10);
  });

  test("two creations for the same user at once: one key, one 409", async () => {
    const results = await Promise.all([0, 1].map(() => admin("POST", "/keys", ADMIN, { org: "acme", user: "bob" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  test("a malformed percent escape in a path is a 400, not a database error", async () => {
    const r = await admin("PUT", "/models/%E0%A4%A/backends", ADMIN, { backends: {} });
    expect(r.status).toBe(400);
  });

  test("wrong guesses are throttled per address, logged and counted", async () => {
    // an instance of its own: the address it refuses stays refused for a minute, which must not reach other tests
    const own = await serve(pg.url, { OCTOLLM_ADMIN_KEY: ADMIN });
    try {
      let throttledAt = -1;
      for (let i = 0; i < 30; i++) {
        const r = await admin("GET", "/keys", `guess-${i}-0123456789abcdef`, undefined, own.url);
        if (r.status === 429) {
          throttledAt = i;
          expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
          break;
        }
        expect(r.status).toBe(401);
      }
      expect(throttledAt).toBe(10);
      // while refused, even the right key waits: a guess that happens to be right is not confirmed
      expect((await admin("GET", "/keys", ADMIN, undefined, own.url)).status).toBe(429);
      expect(own.stderr()).toContain("admin API: failed authentication");
      const metrics = await (await fetch(`${own.url}/metrics`)).text();
      expect(metrics).toMatch(/octollm_admin_auth_failures_total 1[0-9]/);
    } finally {
      await own.stop();
    }
  });
});

test("the throttle forgets an address after its window", () => {
  let now = 0;
  const t = new AuthThrottle({ maxFailures: 3, windowMs: 1000, now: () => now });
  for (let i = 0; i < 3; i++) t.failed("1.2.3.4");
  expect(t.blockedFor("1.2.3.4")).toBe(1000);
  expect(t.blockedFor("5.6.7.8")).toBe(0);
  now = 1000;
  expect(t.blockedFor("1.2.3.4")).toBe(0);
});

test("OCTOLLM_ADMIN_KEY shorter than 16 characters refuses to start, like server.admin_key", async () => {
  const proc = Bun.spawn([process.execPath, join(root, "src/cli/main.ts"), "serve", "--config-db", pg.url, "--host", "127.0.0.1", "--port", "0"], {
    env: { ...process.env, OCTOLLM_ADMIN_KEY: "abc" },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(1);
  expect(await new Response(proc.stderr).text()).toContain("OCTOLLM_ADMIN_KEY) needs at least 16 characters");
});
