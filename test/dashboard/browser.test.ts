// The dashboard in a real browser (playwright-core driving Debian's chromium): sign-in, every page with real
// data from a gateway that served traffic and no console error, filters that round-trip through the address,
// pagination, the detail drawer, live updates, CSRF refused, logout and a revoked session. Screenshots of each
// page (light, dark, phone) go to test-artifacts/dashboard/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { freshSqlitePath } from "../helpers/databases";
import { ADMIN_KEY, dashboardConfig, dashboardGateway, databaseGateway } from "../helpers/dashboard";

const CHROMIUM = process.env.OCTOLLM_TEST_CHROMIUM ?? "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present && process.env.OCTOLLM_TEST_SERVICES === "required") throw new Error(`browser tests need ${CHROMIUM} (apt-get install chromium)`);
const SHOTS = "test-artifacts/dashboard";

let g: Awaited<ReturnType<typeof dashboardGateway>>;
let browser: Browser;
const problems: string[] = [];

async function traffic(n: number, model = "mock-gpt") {
  for (let i = 0; i < n; i++) {
    const key = i % 3 ? "sk-acme-alice-123456" : "sk-beta-carol-12345";
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-claude-code-session-id": `sess-${i % 4}` },
      body: JSON.stringify({ model: i % 10 === 9 ? "missing" : model, messages: [{ role: "user", content: `hello ${i}` }], stream: i % 2 === 0 }),
    });
    await res.text();
  }
}

async function newPage(opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, colorScheme: opts.dark ? "dark" : "light" });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return page;
}

async function signIn(page: Page) {
  await page.goto(`${g.url}/admin/ui/`);
  await page.fill("input[name=key]", ADMIN_KEY);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=tail]");
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

beforeAll(async () => {
  if (!present) return;
  mkdirSync(SHOTS, { recursive: true });
  g = await dashboardGateway(dashboardConfig("", freshSqlitePath().replace(/config\.db$/, "usage.db")));
  await traffic(80);
  await g.gw.ledger!.flush();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  await g?.stop();
});

test.skipIf(!present)("sign-in: a wrong key is refused on the page; the right one opens Live with the requests served", async () => {
  const page = await newPage();
  await page.goto(`${g.url}/admin/ui/`);
  await shot(page, "login");
  await page.fill("input[name=key]", "not-the-key");
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=login-error]");
  problems.length = 0; // the refused sign-in's 401 is the one console line expected
  await page.fill("input[name=key]", ADMIN_KEY);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=tail] tbody tr");
  expect(await page.locator("[data-testid=tail] tbody tr").count()).toBe(25);
  expect(await page.locator(".tile-value").first().textContent()).not.toBe("0");
  await page.waitForTimeout(2500); // one server-sent update in
  await shot(page, "live");
  await page.context().close();
  expect(problems).toEqual([]);
});

test.skipIf(!present)("live updates arrive over server-sent events without a reload", async () => {
  const page = await newPage();
  await signIn(page);
  const before = await page.locator("[data-testid=tail] tbody tr").first().textContent();
  expect(before).not.toContain("fresh-model");
  await traffic(1, "missing-fresh-model");
  await page.waitForFunction(() => (globalThis as any).document.querySelector("[data-testid=tail] tbody tr")?.textContent?.includes("fresh-model"), null, {
    timeout: 6000,
  });
  await page.context().close();
  expect(problems).toEqual([]);
});

test.skipIf(!present)("requests: pages, filters in the address (kept on reload), and the detail drawer", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click('nav a[href="/admin/ui/requests"]');
  await page.waitForSelector("[data-testid=requests] tbody tr");
  expect(await page.locator("[data-testid=requests] tbody tr").count()).toBe(50);
  await shot(page, "requests");
  await page.click("[data-testid=older]");
  await page.waitForURL(/before=/);
  await page.waitForSelector("[data-testid=requests] tbody tr");
  expect(await page.locator("[data-testid=requests] tbody tr").count()).toBeGreaterThan(0);
  await page.fill("input[name=org]", "beta");
  await page.selectOption("select[name=status]", "ok");
  await page.click("[data-testid=filters] button[type=submit]");
  await page.waitForURL(/org=beta/);
  expect(page.url()).toContain("status=ok");
  expect(page.url()).not.toContain("before=");
  await page.reload();
  await page.waitForSelector("[data-testid=requests] tbody tr");
  expect(await page.inputValue("input[name=org]")).toBe("beta");
  const keys = await page.locator("[data-testid=requests] tbody tr td:nth-child(2)").allTextContents();
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) expect(k).toBe("beta/carol");
  // a time range in the address too: from a time still to come, nothing matches
  await page.fill("input[name=from]", "2099-01-01T00:00");
  await page.click("[data-testid=filters] button[type=submit]");
  await page.waitForURL(/from=2099-01-01T00%3A00/);
  await page.waitForSelector("text=No requests match.");
  await page.goBack();
  await page.waitForSelector("[data-testid=requests] tbody tr");
  await page.locator("[data-testid=requests] tbody tr").first().click();
  await page.waitForSelector("[data-testid=drawer] dl");
  expect(page.url()).toMatch(/rid=/);
  expect(await page.locator("[data-testid=drawer]").textContent()).toContain("beta/carol");
  await shot(page, "request-drawer");
  await page.goBack();
  await page.waitForSelector("[data-testid=drawer]", { state: "detached" });
  await page.context().close();
  expect(problems).toEqual([]);
});

test.skipIf(!present)("spend, backends, sessions and keys show the gateway's data", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click('nav a[href="/admin/ui/spend"]');
  await page.click(".segmented button:text('org')");
  await page.waitForURL(/by=org/);
  await page.waitForSelector("[data-testid=spend] tbody tr");
  const orgs = await page.locator("[data-testid=spend] tbody tr td:first-child").allTextContents();
  expect(orgs).toEqual(expect.arrayContaining(["acme", "beta"]));
  expect(await page.locator("[data-testid=budgets]").textContent()).toContain("org acme");
  await shot(page, "spend");
  await page.click('nav a[href="/admin/ui/backends"]');
  await page.waitForSelector("[data-testid=backends] tbody tr");
  expect(await page.locator("[data-testid=backends] tbody").textContent()).toContain("healthy");
  await shot(page, "backends");
  await page.click('nav a[href="/admin/ui/sessions"]');
  await page.waitForSelector("[data-testid=sessions] tbody tr");
  expect(await page.locator("[data-testid=sessions] tbody tr").count()).toBe(4);
  await shot(page, "sessions");
  await page.locator("[data-testid=sessions] tbody tr").first().click();
  await page.waitForURL(/requests\?session=sess-/);
  await page.click('nav a[href="/admin/ui/keys"]');
  await page.waitForSelector("[data-testid=org-acme]");
  expect(await page.locator("[data-testid=org-acme]").textContent()).toContain("alice");
  expect(await page.locator("body").textContent()).toContain("read-only");
  await shot(page, "keys");
  await page.context().close();
  expect(problems).toEqual([]);
});

test.skipIf(!present)("dark mode and a phone-sized screen", async () => {
  const dark = await newPage({ dark: true });
  await signIn(dark);
  await shot(dark, "live-dark");
  await dark.context().close();
  const phone = await newPage({ width: 390, height: 844 });
  await signIn(phone);
  await shot(phone, "live-phone");
  const width = await phone.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
  expect(width).toBeLessThanOrEqual(390); // nothing spills sideways; wide tables scroll inside their cards
  await phone.context().close();
  expect(problems).toEqual([]);
});

test.skipIf(!present)("a write without the CSRF token is refused from the page; logout and a revoked session return to sign-in", async () => {
  const page = await newPage();
  await signIn(page);
  const status = await page.evaluate(async () => (await fetch("/admin/ui/api/logout", { method: "POST" })).status);
  expect(status).toBe(403);
  await page.click("[data-testid=sign-out]");
  await page.waitForSelector("input[name=key]");
  expect(await page.evaluate(async () => (await fetch("/admin/ui/api/live")).status)).toBe(401);
  // revoked: the admin key changes under an open Live page, whose stream then signs it out
  await signIn(page);
  problems.length = 0;
  const server = g.gw.live.config.server as { admin_key?: string };
  const key = server.admin_key;
  server.admin_key = `${key}-rotated`;
  try {
    await page.waitForSelector("input[name=key]", { timeout: 6000 });
  } finally {
    server.admin_key = key;
  }
  await page.context().close();
});

test.skipIf(!present)("on a config database the Keys page creates a key (shown once), revokes it, and sets a budget", async () => {
  const db = await databaseGateway();
  try {
    const page = await newPage();
    await page.goto(`${db.url}/admin/ui/keys`);
    await page.fill("input[name=key]", ADMIN_KEY);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=org-beta] form");
    await page.fill("[data-testid=org-beta] input[name=user]", "dave");
    await page.click("[data-testid=org-beta] form:first-of-type button[type=submit]");
    const key = (await page.locator("[data-testid=new-key]").textContent())!;
    expect(key.length).toBeGreaterThan(20);
    // the list reloads after the key is shown: wait for it
    await page.waitForFunction(() => (globalThis as any).document.querySelector("[data-testid=org-beta]")?.textContent?.includes("dave"));
    const ask = () =>
      fetch(`${db.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "mock-gpt", messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await ask()).status).toBe(200);
    await shot(page, "keys-database");
    page.once("dialog", (d) => void d.accept());
    await page.locator("[data-testid=org-beta] tr", { hasText: "dave" }).locator("button.danger").click();
    await page.waitForFunction(() => (globalThis as any).document.querySelector("[data-testid=message]")?.textContent?.includes("revoked"));
    expect((await ask()).status).toBe(401);
    await page.fill("[data-testid=org-beta] input[name=usd_per_day]", "2.5");
    await page.click("[data-testid=org-beta] form:nth-of-type(2) button[type=submit]");
    await page.waitForFunction(() => (globalThis as any).document.querySelector("[data-testid=org-beta]")?.textContent?.includes("$2.50/day"));
    expect(db.gw.live.config.users.beta!.budgets).toMatchObject({ usd_per_day: 2.5 });
    await page.context().close();
    expect(problems).toEqual([]);
  } finally {
    await db.stop();
  }
});
