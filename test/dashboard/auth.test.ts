// The dashboard's door: sign-in with the admin key, the session cookie, CSRF on writes, logout and revoked
// sessions, the throttle, one-time links (loopback only, once), and the headers every answer carries.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_KEY, dashboardConfig, dashboardGateway } from "../helpers/dashboard";

let g: Awaited<ReturnType<typeof dashboardGateway>>;
beforeAll(async () => {
  g = await dashboardGateway(dashboardConfig());
});
afterAll(() => g.stop());

describe("signing in", () => {
  test("the admin key opens a session: an HttpOnly, SameSite=Strict cookie scoped to /admin/ui, and a CSRF token", async () => {
    const res = await fetch(`${g.url}/admin/ui/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: g.url },
      body: JSON.stringify({ key: ADMIN_KEY }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^octollm_ui=[A-Za-z0-9_-]{43}; Path=\/admin\/ui; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ signed_in: true, mode: "config", writable: false, ledger: false });
    expect(String(body.csrf)).toHaveLength(43);
    expect(JSON.stringify(body)).not.toContain(ADMIN_KEY);
  });

  test("a wrong key, a missing key, a non-string key and malformed JSON are refused, and no cookie is set", async () => {
    for (const body of [JSON.stringify({ key: "nope" }), "{}", JSON.stringify({ key: 12345 }), "{not json", JSON.stringify({ key: `${ADMIN_KEY}x` })]) {
      const res = await fetch(`${g.url}/admin/ui/api/login`, { method: "POST", headers: { "content-type": "application/json", origin: g.url }, body });
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
  });

  test("a sign-in posted from another site is refused (login CSRF)", async () => {
    const res = await fetch(`${g.url}/admin/ui/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ key: ADMIN_KEY }),
    });
    expect(res.status).toBe(403);
    const site = await fetch(`${g.url}/admin/ui/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" },
      body: JSON.stringify({ key: ADMIN_KEY }),
    });
    expect(site.status).toBe(403);
  });

  test("the API answers nothing without a session, or with a made-up cookie", async () => {
    for (const path of ["live", "requests", "spend", "backends", "sessions", "keys", "live/stream"]) {
      expect((await fetch(`${g.url}/admin/ui/api/${path}`)).status).toBe(401);
      expect((await fetch(`${g.url}/admin/ui/api/${path}`, { headers: { cookie: "octollm_ui=forged" } })).status).toBe(401);
    }
    expect(await (await fetch(`${g.url}/admin/ui/api/session`)).json()).toEqual({ signed_in: false });
  });
});

describe("writes need the session's CSRF token from the dashboard's own origin", () => {
  test("a missing, wrong or other session's token, or another origin, is refused; the right one passes", async () => {
    const a = await g.signIn();
    const b = await g.signIn();
    expect((await g.api(a, "logout", { method: "POST", csrf: null })).status).toBe(403);
    expect((await g.api(a, "logout", { method: "POST", csrf: "x".repeat(43) })).status).toBe(403);
    expect((await g.api(a, "logout", { method: "POST", csrf: b.csrf })).status).toBe(403);
    expect((await g.api(a, "logout", { method: "POST", origin: "http://127.0.0.1:1" })).status).toBe(403);
    expect((await g.api(a, "session")).status).toBe(200); // none of those ended it
    expect((await g.api(a, "logout", { method: "POST" })).status).toBe(200);
  });
});

describe("sessions end", () => {
  test("after logout the cookie opens nothing, and the cookie is cleared", async () => {
    const login = await g.signIn();
    expect((await g.api(login, "live")).status).toBe(200);
    const out = await g.api(login, "logout", { method: "POST" });
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await g.api(login, "live")).status).toBe(401);
    expect((await g.api(login, "logout", { method: "POST" })).status).toBe(401);
  });

  test("a changed admin key ends every session opened with the old one", async () => {
    const other = await dashboardGateway(dashboardConfig(), {});
    try {
      const login = await other.signIn();
      const server = other.gw.live.config.server as { admin_key?: string };
      server.admin_key = `${ADMIN_KEY}-rotated`;
      expect((await other.api(login, "live")).status).toBe(401);
      await other.signIn(`${ADMIN_KEY}-rotated`);
    } finally {
      await other.stop();
    }
  });

  test("the live stream ends with a signed-out event when its session is revoked", async () => {
    const login = await g.signIn();
    const res = await g.api(login, "live/stream");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("retry:");
    await g.api(login, "logout", { method: "POST" });
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: signed-out");
  });
});

describe("the throttle", () => {
  test("ten wrong keys from one address lock it out, even for the right key, with a 429", async () => {
    const own = await dashboardGateway(dashboardConfig());
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${own.url}/admin/ui/api/login`, { method: "POST", headers: { origin: own.url }, body: JSON.stringify({ key: `guess-${i}` }) });
        expect(res.status).toBe(401);
      }
      const locked = await fetch(`${own.url}/admin/ui/api/login`, { method: "POST", headers: { origin: own.url }, body: JSON.stringify({ key: ADMIN_KEY }) });
      expect(locked.status).toBe(429);
    } finally {
      await own.stop();
    }
  });
});

describe("one-time login links", () => {
  test("without an admin key on loopback: the printed link opens one session, once; the address bar loses the token", async () => {
    const own = await dashboardGateway(dashboardConfig().replace(/ {2}admin_key: .*\n/, "  access_log: true\n"));
    try {
      const line = own.gw.dashboard!.openLine(`${own.url}/`);
      const link = /(http:\/\/\S+login\?token=\S+)/.exec(line)![1]!;
      const res = await fetch(link, { redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/ui/");
      const cookie = /octollm_ui=[^;]+/.exec(res.headers.get("set-cookie")!)![0];
      expect((await fetch(`${own.url}/admin/ui/api/live`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(link, { redirect: "manual" })).status).toBe(403); // used up
      expect((await fetch(`${own.url}/admin/ui/login?token=${"A".repeat(43)}`, { redirect: "manual" })).status).toBe(403);
      // and the key sign-in has nothing to compare with
      const keyLogin = await fetch(`${own.url}/admin/ui/api/login`, { method: "POST", headers: { origin: own.url }, body: JSON.stringify({ key: "" }) });
      expect(keyLogin.status).toBe(409);
    } finally {
      await own.stop();
    }
  });

  test("with an admin key, links are never honoured", async () => {
    const line = g.gw.dashboard!.openLine(`${g.url}/`);
    expect(line).toContain("sign in with the admin key");
    const token = g.gw.dashboard!.sessions.issueLink();
    expect((await fetch(`${g.url}/admin/ui/login?token=${token}`, { redirect: "manual" })).status).toBe(403);
  });

  test("without an admin key on a non-loopback address the dashboard is off and prints no link", async () => {
    const own = await dashboardGateway(dashboardConfig().replace(/ {2}admin_key: .*\n/, "  access_log: true\n"));
    try {
      own.gw.dashboard!.host = "0.0.0.0";
      expect(own.gw.dashboard!.openLine("http://0.0.0.0:8080/")).not.toContain("token=");
      expect((await fetch(`${own.url}/admin/ui/`)).status).toBe(404);
    } finally {
      await own.stop();
    }
  });

  test("server.dashboard: false serves no dashboard", async () => {
    const own = await dashboardGateway(dashboardConfig("  dashboard: false"));
    try {
      expect(own.gw.dashboard).toBeUndefined();
      expect((await fetch(`${own.url}/admin/ui/`)).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});

describe("what every answer carries", () => {
  test("a strict CSP, nosniff and no framing on the page, the assets and the API", async () => {
    for (const path of ["/admin/ui/", "/admin/ui/requests?org=x", "/admin/ui/assets/app.js", "/admin/ui/api/session"]) {
      const res = await fetch(`${g.url}${path}`);
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("assets are gzipped to clients that take gzip, plain to others, and revalidate by ETag", async () => {
    const gz = await fetch(`${g.url}/admin/ui/assets/app.js`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const zipped = new Uint8Array(await gz.arrayBuffer());
    const plain = await fetch(`${g.url}/admin/ui/assets/app.js`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const text = await plain.text();
    expect(new TextDecoder().decode(Bun.gunzipSync(zipped))).toBe(text);
    expect(zipped.length).toBeLessThan(text.length / 2);
    expect(gz.headers.get("cache-control")).toContain("immutable");
    const again = await fetch(`${g.url}/admin/ui/assets/app.js`, { headers: { "if-none-match": gz.headers.get("etag")! } });
    expect(again.status).toBe(304);
    const page = await (await fetch(`${g.url}/admin/ui/`)).text();
    expect(page).not.toMatch(/<script>|\sstyle=|\son\w+=/); // nothing inline: the CSP allows none
    expect((await fetch(`${g.url}/admin/ui/assets/nothing.js`)).status).toBe(404);
  });
});
