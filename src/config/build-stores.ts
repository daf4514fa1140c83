// Where a gateway keeps what outlives one request: the limit store (budgets and limits) and the owners of stored
// responses, in Redis when the config names one (shared by every instance), else in this process's memory.
import { log, type Logger } from "../core";
import { MemoryLimitStore, MemoryResponseOwners, RedisLimitStore, RedisResponseOwners, type LimitStore, type ResponseOwners } from "../engines";
import { backendApis } from "./build-conversion";
import { resolveBackend } from "./resolve";
import type { Config } from "./schema";

/** Where the owners of stored responses are kept: Redis when the gateway has one (every instance agrees), else memory. */
export function responseOwnersFor(config: Config, env: Record<string, string | undefined>, logger: Logger = log): ResponseOwners {
  const url = config.server.redis_url ?? env.REDIS_URL;
  return url ? new RedisResponseOwners(url, config.server.redis_key_prefix, undefined, logger) : new MemoryResponseOwners();
}

/** The counters a config's limits use: Redis (server.redis_url, else env REDIS_URL) or this process's memory. */
export function limitStoreFor(config: Config, env: Record<string, string | undefined>): LimitStore {
  const url = config.server.redis_url ?? env.REDIS_URL;
  return url ? new RedisLimitStore(url, config.server.redis_key_prefix) : new MemoryLimitStore();
}

/** The one model (not a pattern) whose backends may store responses (they speak the Responses API), if exactly one. */
export function soleResponsesModel(config: Config): string | undefined {
  const storing = Object.entries(config.models).filter(([name, model]) => !name.includes("*") && storesResponses(config, model));
  return storing.length === 1 ? storing[0]![0] : undefined;
}

/** True when some backend of a model may store responses (it speaks the Responses API, passed through). */
export function storesResponses(config: Config, model: Config["models"][string]): boolean {
  return Object.values(model.backends).some((own) => {
    const b = resolveBackend(own, config.backends);
    const apis = backendApis(b);
    return (b.provider ?? "http") === "http" && (apis === undefined || apis.includes("openai-responses"));
  });
}
