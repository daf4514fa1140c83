// Limit counters in Redis, shared by every instance: atomic Lua scripts, windows by the Redis server's
// clock (so instances with skewed clocks agree), keys that expire, concurrency slots as leases with a TTL.
import { RedisClient } from "bun";
import { randomUUID } from "node:crypto";
import type { LeaseResult, LimitStore, WindowResult } from "./store";

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windowMs = tonumber(ARGV[3])
local window = math.floor(now / windowMs)
local key = KEYS[1] .. ':' .. window
local reset = (window + 1) * windowMs - now
local used = tonumber(redis.call('GET', key) or '0')
local amount = tonumber(ARGV[1])
if used + amount > tonumber(ARGV[2]) then return {0, used, reset, window} end
used = redis.call('INCRBY', key, amount)
if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, reset + 1000) end
return {1, used, reset, window}`;

const ADJUST = `
local key = KEYS[1] .. ':' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local v = redis.call('INCRBY', key, ARGV[2])
if v < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
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
  private readonly client: RedisClient;
  private readonly shas = new Map<string, string>();
  private connecting: Promise<void> | undefined;

  /** `timeoutMs` bounds every operation, connecting included: a Redis that does not answer is an error, fast. */
  constructor(url: string, private readonly prefix = "octollm:", private readonly timeoutMs = 500) {
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

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<WindowResult> {
    const [ok, used, reset, window] = (await this.run(TAKE, [this.prefix + key], [amount, limit, windowMs])) as number[];
    return { allowed: ok === 1, used: used!, limit, resetMs: reset!, window: window! };
  }

  async adjust(key: string, window: number, _windowMs: number, delta: number): Promise<void> {
    await this.run(ADJUST, [this.prefix + key], [window, Math.round(delta)]);
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

  close(): void {
    this.client.close();
  }
}
