// The Keys and orgs page's writes on a config database (SQLite): create a key (shown once, then usable on the
// API), revoke it (refused from then on), set and remove an org's budget; each through the admin API, validated,
// with the CSRF token. A config file's gateway refuses every write.
import { afterAll, expect, test } from "bun:test";
import { hintOf } from "../../src/config/db/repository";
import { ADMIN_KEY, dashboardConfig, dashboardGateway, databaseGateway } from "../helpers/dashboard";

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

test("on a config database: create a key, use it, revoke it; set and remove a budget", async () => {
  const { gw, url, stop } = await databaseGateway();
  stops.push(stop);
  const login = await (async () => {
    const res = await fetch(`${url}/admin/ui/api/login`, { method: "POST", headers: { origin: url }, body: JSON.stringify({ key: ADMIN_KEY }) });
    const cookie = /octollm_ui=[^;]+/.exec(res.headers.get("set-cookie")!)![0];
    return { cookie, csrf: ((await res.json()) as { csrf: string; mode: string; writable: boolean }).csrf };
  })();
  const api = (path: string, method = "GET", body?: unknown, csrf = login.csrf) =>
    fetch(`${url}/admin/ui/api/${path}`, {
      method,
      headers: { cookie: login.cookie, origin: url, "x-csrf-token": csrf, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const page = (await (await api("keys")).json()) as { writable: boolean; mode: string; orgs: { name: string; keys: { id: string; user: string }[] }[] };
  expect(page).toMatchObject({ writable: true, mode: "database" });
  expect(
    page.orgs
      .find((o) => o.name === "acme")!
      .keys.map((k) => k.user)
      .sort(),
  ).toEqual(["alice", "bob"]);

  expect((await api("keys", "POST", { org: "beta", user: "dave" }, "wrong")).status).toBe(403); // CSRF first
  const created = await api("keys", "POST", { org: "beta", user: "dave" });
  expect(created.status).toBe(201);
  const { key, id } = (await created.json()) as { key: string; id: string };
  const ask = () =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-gpt", messages: [{ role: "user", content: "hi" }] }),
    });
  expect((await ask()).status).toBe(200);
  const listed = (await (await api("keys")).json()) as typeof page;
  expect(JSON.stringify(listed)).not.toContain(key); // the key itself is shown once, never listed
  expect((await api(`keys/${id}`, "DELETE")).status).toBe(200);
  expect((await ask()).status).toBe(401);

  expect((await api("orgs/beta/budgets", "PUT", { budgets: { usd_per_day: 2 } })).status).toBe(200);
  expect(gw.live.config.users.beta!.budgets).toMatchObject({ usd_per_day: 2 });
  const spend = (await (await api("spend")).json()) as { budgets: { org: string; scope: string; usd: number }[] };
  expect(spend.budgets).toEqual(expect.arrayContaining([expect.objectContaining({ org: "beta", scope: "org beta", usd: 2 })]));
  const bad = await api("orgs/beta/budgets", "PUT", { budgets: { usd_per_day: -5 } });
  expect(bad.status).toBe(400); // validated as a whole config: nothing stored
  expect(gw.live.config.users.beta!.budgets).toMatchObject({ usd_per_day: 2 });
  expect((await api("orgs/beta/budgets", "PUT", { budgets: null })).status).toBe(200);
  expect(gw.live.config.users.beta!.budgets).toBeUndefined();
  expect((await api("orgs/../budgets", "PUT", { budgets: null })).status).toBe(404);
});

test("a config file's gateway lists keys by their last characters and refuses every write", async () => {
  const g = await dashboardGateway(dashboardConfig());
  stops.push(g.stop);
  const login = await g.signIn();
  const page = (await (await g.api(login, "keys")).json()) as { writable: boolean; orgs: { keys: { hint: string }[] }[] };
  expect(page.writable).toBe(false);
  expect(JSON.stringify(page)).not.toContain("sk-acme-alice-123456");
  expect(page.orgs[0]!.keys[0]!.hint).toBe("…56"); // 2 of its 20 characters
  expect(hintOf("12345678")).toBe("…8");
  expect(hintOf("1234567")).toBe("…");
  expect(hintOf("x".repeat(60))).toBe("…xxxx");
  expect(hintOf(`sk-octo-${"A".repeat(28)}wxyz`)).toBe("sk-octo-…wxyz"); // a generated key: its prefix is no secret
  for (const [method, path, body] of [
    ["POST", "keys", { org: "acme", user: "eve" }],
    ["DELETE", "keys/0123456789abcdef", undefined],
    ["PUT", "orgs/acme/budgets", { budgets: null }],
  ] as const)
    expect((await g.api(login, path, { method, body })).status).toBe(409);
});

test("on a config database, a session is the fleet's: signed in on one instance, it works on another; a logout on either ends it", async () => {
  const a = await databaseGateway();
  stops.push(a.stop);
  const b = await databaseGateway(a.database);
  stops.push(b.stop);
  const res = await fetch(`${a.url}/admin/ui/api/login`, { method: "POST", headers: { origin: a.url }, body: JSON.stringify({ key: ADMIN_KEY }) });
  const cookie = /octollm_ui=[^;]+/.exec(res.headers.get("set-cookie")!)![0];
  const { csrf } = (await res.json()) as { csrf: string };
  const live = (url: string) => fetch(`${url}/admin/ui/api/live`, { headers: { cookie } }).then((r) => r.status);
  expect([await live(a.url), await live(b.url)]).toEqual([200, 200]);
  // only the id's hash is stored
  const { Database } = await import("bun:sqlite");
  const db = new Database(a.database.replace(/^sqlite:\/\//, ""), { readonly: true });
  const rows = db.query("SELECT id_hash FROM octollm_ui_sessions").all() as { id_hash: string }[];
  db.close();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(rows[0]!.id_hash).not.toContain(cookie.split("=")[1]!);
  // logout on the other instance
  const out = await fetch(`${b.url}/admin/ui/api/logout`, { method: "POST", headers: { cookie, origin: b.url, "x-csrf-token": csrf } });
  expect(out.status).toBe(200);
  expect([await live(a.url), await live(b.url)]).toEqual([401, 401]);
  expect(await live(`${a.url}`)).toBe(401);
  const forged = await fetch(`${a.url}/admin/ui/api/live`, { headers: { cookie: `octollm_ui=${rows[0]!.id_hash}` } }); // the stored hash is no key
  expect(forged.status).toBe(401);
});
