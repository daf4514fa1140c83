// Rate limits: counters in memory or Redis, admission and settlement, 429 answers and headers.
export { windowOf, take, type LimitStore, type WindowResult, type LeaseResult, type TakeCheck, type Adjustment } from "./store";
export { MemoryLimitStore } from "./memory-store";
export { RedisLimitStore } from "./redis-store";
export { Limiter, NO_ADMISSION, type Limits, type Admission, type AdmitResult, type LimitInfo, type LimiterOptions } from "./limiter";
export { limitHeaders, rateLimitError } from "./headers";
export { LimitsSchema, LIMIT_FIELDS } from "./config";
