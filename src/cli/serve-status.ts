// What a serving gateway reports about itself: the metrics' view of the live config, readiness, and the
// start-up summary.
import pkg from "../../package.json" with { type: "json" };
import { describeRoutes, formatRoutes, upstreamKeyUse, type Config, type ConfigDatabase, type LiveConfig } from "../config";
import { log } from "../core";
import type { MetricsSources } from "../metrics";
import type { ReadyReport } from "../server";

/** What the metrics read from the live config. */
export function metricsSources(live: LiveConfig): MetricsSources {
  let seen: Config | undefined;
  let sets = { models: new Set<string>(), orgs: new Set<string>(), backends: new Set<string>() };
  const current = () => {
    if (seen !== live.config) {
      seen = live.config;
      sets = {
        models: new Set(Object.keys(seen.models)),
        orgs: new Set(Object.keys(seen.users)),
        backends: new Set(Object.values(seen.models).flatMap((m) => Object.keys(m.backends))),
      };
    }
    return sets;
  };
  return {
    models: () => current().models, orgs: () => current().orgs, backends: () => current().backends,
    configVersion: () => live.version, reloadFailures: () => live.failedReloads, version: pkg.version,
  };
}

/** /readyz: the limit store and the config database answer (each within a second). */
export async function readiness(live: LiveConfig, db: ConfigDatabase | undefined, stopping: boolean): Promise<ReadyReport> {
  const within = <T>(p: Promise<T>, fallback: T) => Promise.race([p.catch(() => fallback), Bun.sleep(1000).then(() => fallback)]);
  const checks: Record<string, string> = {};
  if (stopping) checks.lifecycle = "shutting down";
  const store = live.current.store;
  if (store) checks.limits_store = (await within(store.ping(), false)) ? "ok" : "unreachable";
  if (db) checks.config_database = (await within(db.sql.unsafe("SELECT 1").then(() => true), false)) ? "ok" : "unreachable";
  return { checks };
}

/** The start-up summary: where the config came from and what it routes. */
export function summary(live: LiveConfig, url: string, admin: boolean, metrics: boolean): string[] {
  const { config } = live;
  const limits = live.current.store ? (config.server.redis_url ?? process.env.REDIS_URL ? "Redis (shared)" : "in memory") : "none configured";
  const lines = [
    `  endpoints  ${url}v1/chat/completions  ${url}v1/messages  ${url}v1/models`,
    `  health     /healthz  /readyz${metrics ? "  /metrics" : ""}${admin ? "  /admin" : ""}`,
    `  limits     ${limits}`,
  ];
  const keys = upstreamKeyUse(config, process.env);
  if (keys.fallback.length) lines.push(`  OCTOLLM_API_KEY is sent by  ${keys.fallback.join("  ")}`);
  if (keys.empty.length) log.warn("these backends' api_key resolved empty: they send no key (OCTOLLM_API_KEY is not used for them)", { backends: keys.empty });
  lines.push(`  routes:`);
  return [...lines, ...formatRoutes(describeRoutes(config)).map((l) => `    ${log.redact(l)}`)];
}
