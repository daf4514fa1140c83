// What a serving gateway reports about itself: the metrics' view of the live config, and readiness.
import pkg from "../../package.json" with { type: "json" };
import type { Config, ConfigDatabase, LiveConfig } from "../config";
import type { GatewayMetrics, MetricsSources } from "../metrics";
import type { UsageLedger } from "./ledger";
import type { ReadyReport } from "../server";

/** What the metrics read from the live config. */
export function metricsSources(live: LiveConfig): MetricsSources {
  let seen: Config | undefined;
  let sets = { models: new Set<string>(), orgs: new Set<string>(), backends: new Set<string>(), upstreamModels: new Set<string>() };
  const current = () => {
    if (seen !== live.config) {
      seen = live.config;
      sets = {
        models: new Set(Object.keys(seen.models)),
        orgs: new Set(Object.keys(seen.users)),
        backends: new Set(Object.values(seen.models).flatMap((m) => Object.keys(m.backends))),
        // the names a backend's `model:` sends upstream: the config's, so bounded
        upstreamModels: new Set(
          Object.values(seen.models).flatMap((m) => Object.values(m.backends).flatMap((b) => (typeof b.model === "string" ? [b.model] : []))),
        ),
      };
    }
    return sets;
  };
  return {
    models: () => current().models,
    orgs: () => current().orgs,
    backends: () => current().backends,
    upstreamModels: () => current().upstreamModels,
    configVersion: () => live.version,
    reloadFailures: () => live.failedReloads,
    version: pkg.version,
  };
}

/** /readyz: the limit store and the config database answer (each within a second). */
export async function readiness(live: LiveConfig, db: ConfigDatabase | undefined, stopping: boolean): Promise<ReadyReport> {
  const within = <T>(p: Promise<T>, fallback: T) => Promise.race([p.catch(() => fallback), Bun.sleep(1000).then(() => fallback)]);
  const checks: Record<string, string> = {};
  if (stopping) checks.lifecycle = "shutting down";
  const store = live.current.store;
  if (store) checks.limits_store = (await within(store.ping(), false)) ? "ok" : "unreachable";
  if (db)
    checks.config_database = (await within(
      db.sql.unsafe("SELECT 1").then(() => true),
      false,
    ))
      ? "ok"
      : "unreachable";
  return { checks };
}

/** The ledger's readings on /metrics: rows dropped, queued and refused. */
export function addLedgerReadings(metrics: GatewayMetrics, ledger: UsageLedger): void {
  metrics.addReading(
    "octollm_usage_ledger_dropped_total",
    "Ledger rows dropped because the database was too slow or down for too long",
    () => ledger.dropped,
    "counter",
  );
  metrics.addReading("octollm_usage_ledger_queued", "Ledger rows waiting to be written", () => ledger.queued);
  metrics.addReading("octollm_usage_ledger_rejected_total", "Ledger rows the database refused for their content (dropped)", () => ledger.rejected, "counter");
}
