import { defineCommand } from "citty";
import { parse as parseYaml } from "yaml";
import pkg from "../../package.json" with { type: "json" };
import { AuthThrottle, adminHandler, type AdminHandler } from "../admin";
import {
  ADMIN_KEY_MIN, DbConfigSource, LiveConfig, configSecrets, fileLoader, formatProblem, loadConfigFile, openDatabase, watchConfig,
  type Config, type ConfigDatabase, type ServerOverrides,
} from "../config";
import { log, type LogLevel } from "../core";
import { GatewayMetrics } from "../metrics";
import { AccessLog, startServer } from "../server";
import { parsePort } from "./args";
import { metricsSources, readiness, summary } from "./serve-status";

/** How a started gateway stops watching its source. */
type Stop = () => void;

/** `octollm serve -c FILE | --config-db URL [--host H] [--port P]`: validates the config and serves it. */
export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Start the gateway" },
  args: {
    config: { type: "string", alias: "c", description: "Config file (YAML)", default: "config.yaml" },
    "config-db": { type: "string", description: "Read the config from this database (sqlite://file.db or postgres://…) instead of a file" },
    host: { type: "string", description: "Listen address (overrides server.host)" },
    port: { type: "string", description: "Listen port (overrides server.port)" },
    watch: { type: "boolean", description: "Reload when the config file changes (--no-watch: only on SIGHUP)", default: true },
    "log-level": { type: "string", description: "debug, info, warn or error (overrides server.log_level)" },
    "log-format": { type: "string", description: "json, text or auto (overrides server.log_format)" },
  },
  async run({ args }) {
    let dbUrl = args["config-db"];
    let overrides: ServerOverrides = {};
    if (!dbUrl) {
      const result = await loadConfigFile(args.config);
      if (!result.ok) fail(result.problems.map((p) => formatProblem(args.config, p)), `refusing to start: ${result.problems.length} problem(s) in ${args.config}`);
      if (result.config.server.config_db === undefined) return serveFile(args, result.config);
      dbUrl = result.config.server.config_db;
      const { config_db: _, ...rest } = parseYaml(await Bun.file(args.config).text())?.server ?? {};
      overrides = rest; // the file's server settings win over the database's
    }
    return serveDatabase(args, dbUrl, overrides);
  },
});

interface ServeArgs {
  config: string;
  host?: string;
  port?: string;
  watch: boolean;
  "log-level"?: string;
  "log-format"?: string;
}

/**
 * A failure that no request path caught (a rejected promise nobody awaited, a throw in a timer) is logged and
 * the gateway keeps serving: one bad request or backend must never take every other request down with it.
 */
function guardProcess(): void {
  let last = 0, suppressed = 0;
  const report = (kind: string) => (err: unknown) => {
    const now = Date.now();
    if (now - last < 1000) return void suppressed++;
    last = now;
    log.error(`${kind}: logged, still serving`, { error: (err as Error)?.stack?.split("\n").slice(0, 4).join(" | ") ?? String(err), suppressed });
    suppressed = 0;
  };
  process.on("unhandledRejection", report("unhandled rejection"));
  process.on("uncaughtException", report("uncaught exception"));
}

function fail(lines: string[], summary: string): never {
  for (const line of lines) console.error(line);
  console.error(`octollm: ${summary}`);
  process.exit(1);
}

async function serveFile(args: ServeArgs, config: Config): Promise<void> {
  const live = new LiveConfig(fileLoader(args.config), config);
  const stopWatching = watchConfig(args.config, (reason) => void live.reload(reason), { watchFile: args.watch });
  start(args, live, stopWatching, `config ${args.config}`);
}

async function serveDatabase(args: ServeArgs, url: string, overrides: ServerOverrides): Promise<void> {
  let source: DbConfigSource;
  let first: Awaited<ReturnType<DbConfigSource["load"]>>;
  try {
    source = await DbConfigSource.open(await openDatabase(url), { serverOverrides: overrides });
    first = await source.load();
  } catch (err) {
    return fail([], `refusing to start: ${(err as Error).message}`);
  }
  if (!first.ok) fail(first.problems.map((p) => formatProblem(source.db.label, p)), `refusing to start: ${first.problems.length} problem(s) in the config of ${source.db.label} (version ${first.version})`);
  const live = new LiveConfig({ label: source.db.label, load: () => source.load() }, first.config, first.version);
  const onVersion = (version: number) => {
    if (version > live.version) void live.reload(`database version ${version}`); // an admin write here may have loaded it already
  };
  const stopPolling = source.watch(first.version, onVersion, first.config.server.config_poll_ms);
  const onHup = () => void live.reload("SIGHUP");
  process.on("SIGHUP", onHup);
  const stopWatching = () => {
    stopPolling();
    process.off("SIGHUP", onHup);
  };
  const adminKey = first.config.server.admin_key ?? process.env.OCTOLLM_ADMIN_KEY;
  if (adminKey !== undefined && adminKey.length < ADMIN_KEY_MIN) {
    fail([], `refusing to start: the admin key (${first.config.server.admin_key !== undefined ? "server.admin_key" : "OCTOLLM_ADMIN_KEY"}) needs at least ${ADMIN_KEY_MIN} characters`);
  }
  const throttle = new AuthThrottle();
  const admin = adminKey ? adminHandler({ source, adminKey, throttle, onWrite: (version) => void live.reload(`admin write, version ${version}`) }) : undefined;
  start(args, live, stopWatching, `config ${source.db.label} version ${first.version}${admin ? "; admin API on /admin" : ""}`, admin && { handler: admin, throttle }, source.db);
}

function start(args: ServeArgs, live: LiveConfig, stopWatching: Stop, source: string, admin?: { handler: AdminHandler; throttle: AuthThrottle }, db?: ConfigDatabase): void {
  const { server: settings } = live.config;
  applyLogSettings(args, live.config);
  guardProcess();
  live.onSwap = (config) => log.setSecrets(configSecrets(config));
  const accessFormat = settings.log_format === "auto" && !args["log-format"] ? (process.stdout.isTTY ? "text" : "json") : log.format;
  const accessLog = new AccessLog(undefined, settings.access_log, undefined, accessFormat);
  const metrics = settings.metrics ? new GatewayMetrics(metricsSources(live)) : undefined;
  accessLog.observer = metrics;
  if (admin && metrics) admin.throttle.onFailure = () => metrics.adminAuthFailures.inc();
  let stopping = false;
  const host = args.host ?? settings.host;
  const port = args.port !== undefined ? parsePort(args.port) : settings.port;
  const metricsKey = settings.metrics_key ?? (process.env.OCTOLLM_METRICS_KEY || undefined);
  if (metricsKey !== undefined && metricsKey.length < ADMIN_KEY_MIN) fail([], `refusing to start: the metrics key (OCTOLLM_METRICS_KEY) needs at least ${ADMIN_KEY_MIN} characters`);
  let server: ReturnType<typeof startServer>;
  try {
    server = startServer(() => live.current, {
      host,
      port,
      maxBodyBytes: settings.max_body_bytes,
      jsonCheckMaxBytes: settings.json_check_max_bytes,
      bodyTimeoutMs: settings.body_timeout_ms,
      metricsKey,
      accessLog: accessLog,
      version: pkg.version,
      metrics: metrics && (() => metrics.render()),
      ready: () => readiness(live, db, stopping),
      extraRoutes: admin ? { "/admin/*": admin.handler } : undefined,
    });
  } catch (err) {
    const code = (err as { code?: string })?.code;
    if (code === "EADDRINUSE") fail([], `cannot listen on ${host}:${port}: the port is already in use (is another gateway running?)`);
    return fail([], `cannot listen on ${host}:${port}: ${(err as Error)?.message ?? err}`);
  }
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    const grace = settings.shutdown_grace_ms;
    log.info("shutting down: new connections are refused; answers in flight may finish", { signal, grace_ms: grace, streams_in_flight: metrics?.streamsInFlight });
    stopWatching();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      server.stop(false).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), grace))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      log.warn("grace period over: closing the answers still in flight", { grace_ms: grace, streams_in_flight: metrics?.streamsInFlight });
      await server.stop(true);
    }
    accessLog.flush();
    live.current.store?.close();
    await db?.close().catch(() => {});
    log.info("stopped", { drained });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  console.error(`octollm ${pkg.version} listening on ${server.url} (${source}; models: ${live.current.models.join(", ")})`);
  for (const line of summary(live, server.url.href, admin !== undefined, metrics !== undefined)) console.error(line);
}

/** The --log-level / --log-format flags over the config's server settings. */
function applyLogSettings(args: ServeArgs, config: Config): void {
  const level = args["log-level"] ?? config.server.log_level;
  if (!["debug", "info", "warn", "error"].includes(level)) fail([], `--log-level must be debug, info, warn or error, got "${level}"`);
  log.level = level as LogLevel;
  const format = args["log-format"] ?? config.server.log_format;
  if (!["auto", "json", "text"].includes(format)) fail([], `--log-format must be auto, json or text, got "${format}"`);
  if (format !== "auto") log.format = format as "json" | "text";
  log.setSecrets(configSecrets(config));
}
