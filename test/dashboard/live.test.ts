// The dashboard's in-memory parts, with a clock the test moves: the live collector's 10-second buckets, ring and
// day's spend; the login sessions' idle end, key change and one-time links.
import { describe, expect, test } from "bun:test";
import type { AccessRecord } from "../../src/core";
import { LiveCollector, quantile } from "../../src/dashboard/live";
import { UiSessions } from "../../src/dashboard/sessions";

const rec = (over: Partial<AccessRecord> = {}): AccessRecord => ({
  rid: "r",
  method: "POST",
  path: "/v1/chat/completions",
  protocol: "openai",
  status: 200,
  ms: 10,
  bytes_in: 1,
  bytes_out: 1,
  ...over,
});

describe("LiveCollector", () => {
  test("requests land in 10-second buckets over 15 minutes; a bucket 15 minutes old is counted afresh", () => {
    let now = Date.UTC(2026, 11, 8, 12, 0, 0);
    const live = new LiveCollector(() => now);
    live.ended(rec({ status: 500, ms: 40, cost_usd: 0.5 }));
    now += 10_000;
    live.ended(rec({ ms: 2000, cost_usd: 0.25 }));
    live.ended(rec({ ms: 3000 }));
    const series = live.series();
    expect(series).toHaveLength(90);
    expect(series.at(-1)).toMatchObject({ requests: 2, errors: 0, cost_usd: 0.25 });
    expect(series.at(-2)).toMatchObject({ requests: 1, errors: 1, cost_usd: 0.5 });
    expect(series.at(-1)!.p95_ms).toBeGreaterThan(2500); // inside the 2.5–5 s bucket
    expect(series.at(-1)!.p95_ms).toBeLessThanOrEqual(5000);
    expect(series.at(-3)!.p95_ms).toBeNull();
    now += 15 * 60_000; // the same slot of the ring, 90 buckets later
    live.ended(rec());
    expect(live.series().at(-1)).toMatchObject({ requests: 1, errors: 0, cost_usd: 0 });
    expect(live.series().reduce((n, p) => n + p.requests, 0)).toBe(1);
  });

  test("the ring keeps the last 8 192 requests, newest first; recent() stops at its window", () => {
    let now = 1_000_000;
    const live = new LiveCollector(() => now);
    for (let i = 0; i < 9000; i++) {
      now += 1;
      live.ended(rec({ rid: `r${i}` }));
    }
    const all = live.recent(Number.POSITIVE_INFINITY);
    expect(all).toHaveLength(8192);
    expect(all[0]!.rec.rid).toBe("r8999");
    expect(all.at(-1)!.rec.rid).toBe("r808");
    expect(live.recent(10)).toHaveLength(11); // ended at now-10 … now
    expect(live.recent(Number.POSITIVE_INFINITY, 3).map((r) => r.rec.rid)).toEqual(["r8999", "r8998", "r8997"]);
  });

  test("today's spend starts over at 00:00 UTC; streams count per backend until they end", () => {
    let now = Date.UTC(2026, 11, 8, 23, 59, 59);
    const live = new LiveCollector(() => now);
    live.ended(rec({ cost_usd: 1.5 }));
    expect(live.spentToday).toBe(1.5);
    now += 2000;
    expect(live.spentToday).toBe(0);
    live.ended(rec({ cost_usd: 0.25 }));
    expect(live.spentToday).toBe(0.25);
    live.streamStarted("m", "a");
    live.streamStarted("m", "a");
    live.streamStarted("m", "b");
    live.streamEnded("m", "a");
    expect([live.streamsOf("m", "a"), live.streamsOf("m", "b"), live.streamsOf("m", "c")]).toEqual([1, 1, 0]);
    live.streamEnded("m", "a");
    live.streamEnded("m", "a"); // one end too many never goes below zero
    expect(live.streamsOf("m", "a")).toBe(0);
  });

  test("quantile: nearest rank; none for no values", () => {
    expect(quantile([], 0.95)).toBeNull();
    expect(quantile([5], 0.5)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([10, 1, 5], 0.5)).toBe(5);
  });
});

describe("UiSessions", () => {
  test("a session lives while used, ends after 12 idle hours, at logout, or when the admin key changes", () => {
    let now = 0;
    const sessions = new UiSessions(() => now);
    const s = sessions.open("key-a");
    expect(sessions.get(s.id, "key-a")?.csrf).toBe(s.csrf);
    now += 11 * 3600_000;
    expect(sessions.get(s.id, "key-a")).toBeDefined(); // used: its idle time starts again
    now += 11 * 3600_000;
    expect(sessions.get(s.id, "key-a")).toBeDefined();
    now += 12 * 3600_000 + 1;
    expect(sessions.get(s.id, "key-a")).toBeUndefined();
    const t = sessions.open("key-a");
    expect(sessions.get(t.id, "key-b")).toBeUndefined(); // another key: gone, also for the old key
    expect(sessions.get(t.id, "key-a")).toBeUndefined();
    const u = sessions.open("key-a");
    sessions.end(u.id);
    expect(sessions.get(u.id, "key-a")).toBeUndefined();
    expect(sessions.get(undefined, "key-a")).toBeUndefined();
  });

  test("one-time links work once; ids and tokens are 32 random bytes; at most 10 000 sessions are kept", () => {
    const sessions = new UiSessions();
    const token = sessions.issueLink();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.redeem(token)).toBe(true);
    expect(sessions.redeem(token)).toBe(false);
    expect(sessions.redeem("")).toBe(false);
    const first = sessions.open("k");
    for (let i = 0; i < 10_000; i++) sessions.open("k");
    expect(sessions.size).toBe(10_000);
    expect(sessions.get(first.id, "k")).toBeUndefined(); // the oldest made room
  });
});
