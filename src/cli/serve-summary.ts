// The start-up summary `serve` prints: endpoints, health routes, the limit store, upstream keys, and routes.
import { FLEET_WITHOUT_REDIS, describeRoutes, formatRoutes, upstreamKeyUse, type LiveConfig } from "../config";

/** The start-up summary: where the config came from and what it routes. */
export function summary(live: LiveConfig, url: string, admin: boolean, metrics: boolean): string[] {
  const { config, logger } = live;
  const limits = live.current.store ? ((config.server.redis_url ?? process.env.REDIS_URL) ? "Redis (shared)" : "in memory") : "none configured";
  const lines = [
    `  endpoints  ${url}v1/chat/completions  ${url}v1/responses  ${url}v1/messages  ${url}v1/models`,
    `  health     /healthz  /readyz${metrics ? "  /metrics" : ""}${admin ? "  /admin" : ""}`,
    `  limits     ${limits}`,
  ];
  if (config.server.config_db !== undefined && live.current.store && !(config.server.redis_url ?? process.env.REDIS_URL)) logger.warn(FLEET_WITHOUT_REDIS);
  const keys = upstreamKeyUse(config, process.env);
  if (keys.fallback.length) lines.push(`  OCTOLLM_API_KEY is sent by  ${keys.fallback.join("  ")}`);
  if (keys.empty.length)
    logger.warn("these backends' api_key resolved empty: they send no key (OCTOLLM_API_KEY is not used for them)", { backends: keys.empty });
  lines.push(`  routes:`);
  return [...lines, ...formatRoutes(describeRoutes(config)).map((l) => `    ${logger.redact(l)}`)];
}
