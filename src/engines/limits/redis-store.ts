// Limit counters in Redis, shared by every instance: atomic Lua scripts, windows by the Redis server's
// clock (so instances with skewed clocks agree), keys that expire, concurrency slots as leases with a TTL.
import { RedisClient } from "bun";
import { randomUUID } from "node:crypto";
import type { Adjustment, LeaseResult, LimitStore, TakeCheck, WindowResult } from "./store";

// ARGV: per check amount, limit, windowMs. All or nothing: nothing is added unless every check fits.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out, keys, ok = {}, {}, 1
for i = 1, #KEYS do
  local windowMs = tonumber(ARGV[i * 3])
  local window = math.floor(now / windowMs)
  keys[i] = KEYS[i] .. ':' .. window
  local used = tonumber(redis.call('GET', keys[i]) or '0')
  if used + tonumber(ARGV[i * 3 - 2]) > tonumber(ARGV[i * 3 - 1]) then ok = 0 end
  out[i * 3 - 2], out[i * 3 - 1], out[i * 3] = used, (window + 1) * windowMs - now, window
end
if ok == 1 then
  for i = 1, #KEYS do
    out[i * 3 - 2] = redis.call('INCRBY', keys[i], ARGV[i * 3 - 2])
    if redis.call('PTTL', keys[i]) < 0 then redis.call('PEXPIRE', keys[i], out[i * 3 - 1] + 1000) end
  end
end
table.insert(out, 1, ok)
return out`;

// ARGV: per key window, delta.
const ADJUST = `
for i = 1, #KEYS do
  local key = KEYS[i] .. ':' .. ARGV[i * 2 - 1]
  if redis.call('EXISTS', key) == 1 then
    local v = redis.call('INCRBY', key, ARGV[i * 2])
    if v < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
  end
end
return 1`;

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[1]) then return {0, held} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return {1, held + 1}`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
end
return 1`;

/** A LimitStore on Redis (Bun's built-in client; reconnects on its own). Failures reject: the caller decides fail-open or fail-closed. */
export class RedisLimitStore implements LimitStore {
  readonly shared = true;
  private readonly client: RedisClient;
  private readonly shas = new Map<string, string>();
  private connecting: Promise<void> | undefined;
  private readonly queued = new Map<string, Adjustment>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** `timeoutMs` bounds every operation, connecting included: a Redis that does not answer is an error, fast. */
  constructor(
    url: string,
    private readonly prefix = "octollm:",
    private readonly timeoutMs = 500,
  ) {
    this.client = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: false, connectionTimeout: 2_000 });
  }

  /** Runs a script by its SHA, loading it on first use or after a Redis restart (NOSCRIPT). */
  private run(script: string, keys: string[], args: (string | number)[]): Promise<any> {
    return this.bounded(this.runScript(script, keys, args));
  }

  private async runScript(script: string, keys: string[], args: (string | number)[]): Promise<any> {
    await this.connected();
    let sha = this.shas.get(script);
    if (sha) {
      try {
        return await this.client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error).message).includes("NOSCRIPT")) throw err;
      }
    }
    sha = String(await this.client.send("SCRIPT", ["LOAD", script]));
    this.shas.set(script, sha);
    return this.client.evalsha(sha, keys.length, ...keys, ...args);
  }

  /** Connects (once at a time) when the client is not connected; a refused connection rejects at once. */
  private async connected(): Promise<void> {
    if (this.client.connected) return;
    this.connecting ??= this.client.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  async takeAll(checks: TakeCheck[]): Promise<{ allowed: boolean; results: WindowResult[] }> {
    const r = (await this.run(
      TAKE,
      checks.map((c) => this.prefix + c.key),
      checks.flatMap((c) => [c.amount, c.limit, c.windowMs]),
    )) as number[];
    const allowed = r[0] === 1;
    return {
      allowed,
      results: checks.map((c, i) => {
        const used = r[1 + i * 3]!;
        return { allowed: allowed || used + c.amount <= c.limit, used, limit: c.limit, resetMs: r[2 + i * 3]!, window: r[3 + i * 3]! };
      }),
    };
  }

  /**
   * Settlements are not urgent: they are summed per counter and sent together every 25 ms (one round trip
   * for many requests), so a settlement reaches Redis within 25 ms of the answer's end.
   */
  async adjustAll(items: Adjustment[]): Promise<void> {
    for (const a of items) {
      const k = `${a.key}\u0000${a.window}`;
      const queued = this.queued.get(k);
      if (queued) queued.delta += a.delta;
      else this.queued.set(k, { ...a });
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), 25);
  }

  /** Sends the queued settlements. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const items = [...this.queued.values()].filter((a) => Math.round(a.delta) !== 0);
    this.queued.clear();
    for (let i = 0; i < items.length; i += 500) {
      const batch = items.slice(i, i + 500);
      try {
        await this.run(
          ADJUST,
          batch.map((a) => this.prefix + a.key),
          batch.flatMap((a) => [a.window, Math.round(a.delta)]),
        );
      } catch {
        // Redis is down: the counters expire with their window anyway
      }
    }
  }

  async acquire(key: string, limit: number, ttlMs: number): Promise<LeaseResult> {
    const lease = randomUUID();
    const [ok, held] = (await this.run(ACQUIRE, [this.prefix + key], [limit, ttlMs, lease])) as number[];
    return ok === 1 ? { allowed: true, held: held!, lease } : { allowed: false, held: held! };
  }

  async renew(key: string, lease: string, ttlMs: number): Promise<void> {
    await this.run(RENEW, [this.prefix + key], [lease, ttlMs]);
  }

  async release(key: string, lease: string): Promise<void> {
    await this.bounded(this.connected().then(() => this.client.send("ZREM", [this.prefix + key, lease])));
  }

  /** The operation, or a rejection when it takes longer than the timeout. */
  private bounded<T>(op: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    op.catch(() => {}); // a late failure after the timeout is already reported
    return Promise.race([op, timeout]).finally(() => clearTimeout(timer));
  }

  async ping(): Promise<boolean> {
    try {
      return String(await this.bounded(this.connected().then(() => this.client.send("PING", [])))) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.flush().finally(() => this.client.close());
  }
}
