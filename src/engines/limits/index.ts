// Rate-limit counters: fixed windows and concurrency leases, in memory or in Redis.
export { windowOf, type LimitStore, type WindowResult, type LeaseResult } from "./store";
export { MemoryLimitStore } from "./memory-store";
export { RedisLimitStore } from "./redis-store";
