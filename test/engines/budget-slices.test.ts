// Budget slices over the real Redis: requests admitted from an instance's slice without a round trip, settled
// there, and given back, so that Redis ends holding exactly what was spent; two instances never admit past a
// deny limit; a slice of a window that ended goes back to that window.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { randomUUID } from "node:crypto";
import { Budgets, RedisLimitStore } from "../../src/engines";
import { BudgetSlices } from "../../src/engines/spend/slices";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const LONG = 2 ** 41;
const redis = new RedisClient(REDIS_URL);
const stores: RedisLimitStore[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  redis.close();
});

/** A store of its own (an instance), counting its round trips. */
function instance(prefix: string) {
  const store = new RedisLimitStore(REDIS_URL, prefix);
  stores.push(store);
  const calls = { takeAll: 0 };
  const takeAll = store.takeAll.bind(store);
  store.takeAll = (checks) => {
    calls.takeAll++;
    return takeAll(checks);
  };
  return { store, calls };
}

const counter = async (prefix: string, key: string, window = 0) => Number((await redis.get(`${prefix}${key}:${window}`)) ?? 0);

test("a slice serves the next requests without Redis; settled in it and given back, Redis holds exactly what was spent", async () => {
  const prefix = `octollm-test-slices-${randomUUID()}:`;
  const { store, calls } = instance(prefix);
  const slices = new BudgetSlices(store, 60_000);
  const checks = [
    { key: "org", limit: 10_000_000, windowMs: LONG },
    { key: "key", limit: Number.MAX_SAFE_INTEGER, windowMs: LONG },
  ];
  for (let i = 0; i < 100; i++) {
    const taken = await slices.take(checks, 1000);
    expect(taken.allowed).toBe(true);
    slices.settle("org", taken.results[0]!.window, LONG, 600 - 1000); // the answer cost 600 of the 1000 reserved
    slices.settle("key", taken.results[1]!.window, LONG, 600 - 1000);
  }
  expect(calls.takeAll).toBeLessThanOrEqual(8); // a slice is 32 reservations, and refunds stay in it: not one round trip per request
  expect(await counter(prefix, "org")).toBeGreaterThan(60_000); // meanwhile Redis counts the slice as taken
  slices.close();
  await store.flush();
  expect([await counter(prefix, "org"), await counter(prefix, "key")]).toEqual([60_000, 60_000]);
});

test("two instances under 100 parallel requests never admit past a deny limit, and leave at most a slice each unused", async () => {
  const prefix = `octollm-test-slices-${randomUUID()}:`;
  const [a, b] = [instance(prefix), instance(prefix)];
  const [sa, sb] = [new BudgetSlices(a.store, 60_000), new BudgetSlices(b.store, 60_000)];
  const limit = 64_000; // a slice is at most 1/64 of a deny limit: here one request's 1000
  const checks = [{ key: "org", limit, windowMs: LONG }];
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? sa : sb).take(checks, 1000)));
  const admitted = results.filter((r) => r.allowed).length;
  expect(admitted).toBeLessThanOrEqual(64);
  expect(admitted).toBeGreaterThanOrEqual(62); // what the other instance's slice holds is the most left unused
  sa.close();
  sb.close();
  await Promise.all([a.store.flush(), b.store.flush()]);
  expect(await counter(prefix, "org")).toBe(admitted * 1000);
});

test("an idle slice goes back on its own; a slice of a window that ended goes back to that window", async () => {
  const prefix = `octollm-test-slices-${randomUUID()}:`;
  const { store } = instance(prefix);
  const idle = new BudgetSlices(store, 40);
  await idle.take([{ key: "idle", limit: 1_000_000, windowMs: LONG }], 500);
  await Bun.sleep(150);
  await store.flush();
  expect(await counter(prefix, "idle")).toBe(500);
  idle.close();

  const slices = new BudgetSlices(store, 60_000);
  const windowMs = 400;
  await Bun.sleep(windowMs - (Date.now() % windowMs) + 5); // the start of a window
  const first = await slices.take([{ key: "w", limit: 1_000_000, windowMs }], 100);
  await Bun.sleep(windowMs - (Date.now() % windowMs) + 5); // the next one
  const second = await slices.take([{ key: "w", limit: 1_000_000, windowMs }], 100);
  expect(second.results[0]!.window).toBe(first.results[0]!.window + 1);
  await store.flush();
  expect(await counter(prefix, "w", first.results[0]!.window)).toBe(100);
  slices.close();
});

test("Budgets over Redis: the report leaves out what this instance holds unspent in its slices", async () => {
  const prefix = `octollm-test-slices-${randomUUID()}:`;
  const { store } = instance(prefix);
  const budgets = new Budgets(store);
  const scopes = [{ key: "budget:org:acme", label: "org acme", budget: { usdTotal: 100, onExceed: "deny" as const } }];
  const { hold } = await budgets.admit(scopes, 0.01);
  await budgets.settle(hold, 0.004);
  expect(await counter(prefix, "budget:org:acme:usd_total")).toBeGreaterThan(10_000); // the slice is counted as taken
  const [status] = await budgets.status(scopes);
  expect(status).toMatchObject({ scope: "org acme", period: "in total", usd: 100, spent: 0.004 });
});

test("Redis unreachable: budgets let requests through (open) or refuse them with 503 (closed), as the limits do", async () => {
  const dead = new RedisLimitStore("redis://127.0.0.1:1", "x:", 200);
  stores.push(dead);
  const scopes = [{ key: "budget:org:acme", label: "org acme", budget: { usdPerDay: 1, onExceed: "deny" as const } }];
  const quiet = { error() {}, warn() {}, info() {} } as any;
  const open = new Budgets(dead, { logger: quiet });
  const admitted = await open.admit(scopes, 0.01);
  expect([admitted.hold.takes, open.storeFailures]).toEqual([[], 1]);
  await open.settle(admitted.hold, 0.02); // nothing was taken: nothing to settle
  expect((await open.admit(scopes, 0)).hold.takes).toEqual([]); // nothing to take: the store is not asked
  expect(open.storeFailures).toBe(1);
  const closed = new Budgets(dead, { failClosed: true, logger: quiet });
  const refused = await closed.admit(scopes, 0.01).catch((e) => e);
  expect([refused.status, refused.message]).toEqual([503, "budgets cannot be checked right now (limit store unavailable)"]);
  expect((await closed.admit(scopes, 0)).over).toEqual([]); // an unpriced request is served even then
});
