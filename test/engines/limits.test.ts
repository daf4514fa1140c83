// Limit stores: window math with a fake clock, exact admission under concurrency, leases that expire;
// the same suite on the in-memory store and on the real Redis at 127.0.0.1:6379.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { MemoryLimitStore, RedisLimitStore, rateLimitError, take, windowOf, type LimitStore } from "../../src/engines";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

test("window math", () => {
  expect(windowOf(125_000, 60_000)).toEqual({ window: 2, resetMs: 55_000 });
  expect(windowOf(120_000, 60_000)).toEqual({ window: 2, resetMs: 60_000 });
});

describe("MemoryLimitStore with a fake clock", () => {
  let now = 1_000_000;
  const store = new MemoryLimitStore(() => now);
  afterAll(() => store.close());
  test("a window fills up, refuses, and resets at its boundary", async () => {
    now = 60_000 * 100 + 30_000;
    for (let i = 0; i < 3; i++) expect((await take(store, "rpm", 1, 3, 60_000)).allowed).toBe(true);
    const refused = await take(store, "rpm", 1, 3, 60_000);
    expect(refused).toMatchObject({ allowed: false, used: 3, limit: 3, resetMs: 30_000 });
    now += 30_000;
    expect(await take(store, "rpm", 1, 3, 60_000)).toMatchObject({ allowed: true, used: 1, resetMs: 60_000 });
  });
  test("a token reservation is settled to the real usage", async () => {
    const r = await take(store, "tpm", 800, 1000, 60_000);
    await store.adjustAll([{ key: "tpm", window: r.window, windowMs: 60_000, delta: 120 - 800 }]); // the answer used 120 tokens
    expect((await take(store, "tpm", 800, 1000, 60_000)).allowed).toBe(true);
    expect((await take(store, "tpm", 100, 1000, 60_000)).allowed).toBe(false);
  });
  test("leases expire on their own", async () => {
    const a = await store.acquire("conc", 1, 1000);
    expect(a.allowed).toBe(true);
    expect((await store.acquire("conc", 1, 1000)).allowed).toBe(false);
    now += 1001;
    expect((await store.acquire("conc", 1, 1000)).allowed).toBe(true);
  });
});

function suite(name: string, make: () => LimitStore) {
  describe(name, () => {
    const store = make();
    const ns = randomUUID();
    afterAll(() => store.close());
    test("200 parallel takes against a limit of 50 admit exactly 50", async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => take(store, `${ns}:rpm`, 1, 50, 60_000)));
      expect(results.filter((r) => r.allowed).length).toBe(50);
      expect(Math.max(...results.map((r) => r.used))).toBe(50);
    });
    test("token takes never overshoot: the refused one does not count", async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => take(store, `${ns}:tpm`, 300, 10_000, 60_000)));
      expect(results.filter((r) => r.allowed).length).toBe(33);
      const r = results.find((x) => x.allowed)!;
      await store.adjustAll([{ key: `${ns}:tpm`, window: r.window, windowMs: 60_000, delta: -300 }]);
      await Bun.sleep(40); // Redis receives settlements in batches, every 25 ms
      expect((await take(store, `${ns}:tpm`, 300, 10_000, 60_000)).allowed).toBe(true);
    });
    test("several windows are taken all or nothing: a refused token window leaves the request window untouched", async () => {
      const checks = [
        { key: `${ns}:aon-r`, amount: 1, limit: 10, windowMs: 60_000 },
        { key: `${ns}:aon-t`, amount: 600, limit: 1000, windowMs: 60_000 },
      ];
      expect((await store.takeAll(checks)).allowed).toBe(true);
      const refused = await store.takeAll(checks);
      expect(refused.allowed).toBe(false);
      expect(refused.results.map((r) => r.allowed)).toEqual([true, false]);
      expect((await take(store, `${ns}:aon-r`, 9, 10, 60_000)).allowed).toBe(true); // only the first take counted
    });
    test("concurrency leases: a limit of 5 under 50 parallel asks, release frees a slot, renew keeps one", async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => store.acquire(`${ns}:conc`, 5, 60_000)));
      const held = results.filter((r) => r.allowed);
      expect(held.length).toBe(5);
      await store.release(`${ns}:conc`, held[0]!.lease!);
      expect((await store.acquire(`${ns}:conc`, 5, 60_000)).allowed).toBe(true);
      await store.renew(`${ns}:conc`, held[1]!.lease!, 60_000);
      expect((await store.acquire(`${ns}:conc`, 5, 60_000)).allowed).toBe(false);
    });
    test("a lease whose holder died expires after its TTL", async () => {
      expect((await store.acquire(`${ns}:dead`, 1, 150)).allowed).toBe(true);
      expect((await store.acquire(`${ns}:dead`, 1, 150)).allowed).toBe(false);
      await Bun.sleep(200);
      expect((await store.acquire(`${ns}:dead`, 1, 150)).allowed).toBe(true);
    });
  });
}

suite("MemoryLimitStore", () => new MemoryLimitStore());
suite("RedisLimitStore (real Redis)", () => new RedisLimitStore(REDIS_URL, "octollm-test:"));

test("two processes sharing Redis never admit more than the shared limit together", async () => {
  const key = `shared-${randomUUID()}`;
  const script = `
    import { RedisLimitStore, take } from "${import.meta.dir}/../../src/engines";
    const s = new RedisLimitStore("${REDIS_URL}", "octollm-test:");
    const r = await Promise.all(Array.from({ length: 150 }, () => take(s, "${key}", 1, 100, 60_000)));
    console.log(r.filter((x) => x.allowed).length);
    s.close();`;
  const run = () => Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const [a, b] = [run(), run()];
  const counts = await Promise.all([new Response(a.stdout).text(), new Response(b.stdout).text()]);
  await Promise.all([a.exited, b.exited]);
  expect(Number(counts[0]) + Number(counts[1])).toBe(100);
}, 20_000);

test("a Redis that does not answer makes the store reject, so the caller can fail open or closed", async () => {
  const s = new RedisLimitStore("redis://127.0.0.1:1", "x:");
  await expect(take(s, "k", 1, 1, 1000)).rejects.toThrow();
  s.close();
});

test("a refusal whose wait is past a minute (a daily limit) tells the SDKs not to retry; a short one lets them", () => {
  const refusal = (retryAfterMs: number) => rateLimitError({ ok: false, what: "requests", limit: 100, retryAfterMs, info: {} }, "org acme").headers;
  expect(refusal(3_000)).toMatchObject({ "retry-after": "3", "x-should-retry": "true" });
  expect(refusal(60_000)).toMatchObject({ "x-should-retry": "true" });
  expect(refusal(5 * 3_600_000)).toMatchObject({ "retry-after": "18000", "x-should-retry": "false" }); // the Anthropic SDK would sleep 5 hours
});
