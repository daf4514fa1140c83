// The composition root: a config source (a file, a database, or a config value), the engines built from it and
// kept live, the access log, metrics, the admin API, readiness, and shutdown. `serve` is argument parsing around
// it; a library user or a test gets the same gateway, and can call its fetch() without opening a port.
import { existsSync } from "node:fs";
import { AuthThrottle, adminHandler } from "../admin";
import {
  ADMIN_KEY_MIN,
  DbConfigSource,
  LiveConfig,
  configSecrets,
  fileLoader,
  formatProblem,
  loadConfigFile,
  openDatabase,
  watchConfig,
  type Config,
  type ConfigDatabase,
  type ServerOverrides,
} from "../config";
import { log, type Logger } from "../core";
import { giveBackSlices } from "../engines";
import { GatewayMetrics } from "../metrics";
import { AccessLog, gatewayRoutes, routeRequests, startServer, type LineSink, type ReadyReport, type Route } from "../server";
import { UsageLedger } from "./ledger";
import { adminUsageRoute, usageRoute } from "./usage-route";
import { addLedgerReadings, metricsSources, readiness } from "./status";
import pkg from "../../package.json" with { type: "json" };
import { exporterReadings, makeTracer, type Tracer } from "../otel";
import { GatewayDashboard } from "./dashboard";

/** Where a gateway's config comes from. */
export type GatewaySource =
  /** A YAML file, reloaded when it changes (unless watch is false) and on reload(). */
  | { file: string; watch?: boolean }
  /** A config database (sqlite://… or postgres://…), followed live; `serverOverrides` win over its `server` section. */
  | { database: string; serverOverrides?: ServerOverrides }
  /** A validated config value (no reload from anywhere). */
  | { config: Config };

/** How to create a gateway. */
export interface GatewayInit {
  source: GatewaySource;
  env?: Record<string, string | undefined>;
  /** Where access lines go (default: stdout), and in which format (default json). */
  accessLog?: { sink?: LineSink; format?: "json" | "text" };
  /** Where the gateway and its engines log (default: the process log); secrets of the config are hidden in it. */
  logger?: Logger;
}

/** A gateway that cannot start: the problems, one per line, and a one-line summary. */
export class GatewayStartError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = "GatewayStartError";
  }
}

/** A running gateway: answer requests with fetch(), or listen() on a port; shutdown() ends it. */
export class Gateway {
  readonly accessLog: AccessLog;
  readonly metrics?: GatewayMetrics;
  /** The tracer, when server.otel or the OTEL_* variables name a collector. */
  readonly tracer?: Tracer;
  /** The usage ledger, when server.usage_db is set. */
  ledger?: UsageLedger;
  /** The dashboard on /admin/ui, unless server.dashboard is false. */
  readonly dashboard?: GatewayDashboard;
  /** Answers one request by the gateway's routes; no port needed. */
  readonly fetch: (req: Request) => Promise<Response>;
  private server?: Bun.Server<undefined>;
  private stopping = false;
  private readonly env: Record<string, string | undefined>;

  constructor(
    readonly live: LiveConfig,
    /** What started it, for messages (`config FILE`, `config DB version N`). */
    readonly source: string,
    private readonly stopWatching: () => void,
    private readonly db: ConfigDatabase | undefined,
    private readonly admin: Route | undefined,
    init: GatewayInit,
    /** Failed admin authentications, shared by every admin route (/admin/usage included). */
    readonly adminThrottle = new AuthThrottle({ logger: live.logger }),
  ) {
    const settings = live.config.server;
    for (const file of settings.tls ? [settings.tls.cert_file, settings.tls.key_file] : []) {
      if (!existsSync(file)) throw new GatewayStartError(`server.tls: cannot read ${file}`);
    }
    this.env = init.env ?? process.env;
    const logger = live.logger;
    live.swapObservers.push((config) => logger.addSecrets(configSecrets(config, init.env))); // rotated-out keys stay hidden
    logger.setSecrets(configSecrets(live.config, init.env));
    this.accessLog = new AccessLog(init.accessLog?.sink, settings.access_log, [], init.accessLog?.format ?? "json", logger);
    this.metrics = settings.metrics ? new GatewayMetrics(metricsSources(live)) : undefined;
    if (this.metrics) this.accessLog.observers.push(this.metrics);
    if (this.metrics) this.adminThrottle.onFailure = () => this.metrics!.adminAuthFailures.inc();
    this.tracer = makeTracer(settings.otel, this.env, pkg.version, logger);
    if (this.tracer && this.metrics) for (const r of exporterReadings(this.tracer.exporter)) this.metrics.addReading(...r);
    if (settings.dashboard) {
      this.dashboard = new GatewayDashboard({
        live,
        ledger: () => this.ledger,
        metrics: this.metrics,
        adminKey: () => adminKeyOf(this.live.config.server.admin_key ?? this.env.OCTOLLM_ADMIN_KEY),
        admin: this.admin,
        mode: db ? "database" : source === "config" ? "config" : "file",
        throttle: this.adminThrottle,
        db,
      });
      this.accessLog.observers.push(this.dashboard.collector);
    }
    const dispatch = routeRequests(this.routes());
    this.fetch = (req) => dispatch(req);
  }

  /** True when the admin API is on (database mode with an admin key). */
  get hasAdmin(): boolean {
    return this.admin !== undefined;
  }

  /** The names of the models serving now. */
  get models(): string[] {
    return this.live.current.models;
  }

  /** Starts serving on a port (server.host/port unless given); throws when the port is in use. */
  listen(host = this.live.config.server.host, port = this.live.config.server.port): Bun.Server<undefined> {
    const tls = this.live.config.server.tls;
    const https = tls && { certFile: tls.cert_file, keyFile: tls.key_file };
    if (this.dashboard) this.dashboard.host = host;
    this.server = startServer(() => this.live.current, { host, port, ...this.routeOptions(), ...(https ? { tls: https } : {}) });
    return this.server;
  }

  /** Readiness: the limit store and the config database answer, and the gateway is not shutting down. */
  ready(): Promise<ReadyReport> {
    return readiness(this.live, this.db, this.stopping);
  }

  /** Loads the config source again (a file, or the database); a bad config keeps the current one. */
  reload(reason: string): Promise<boolean> {
    return this.live.reload(reason);
  }

  /** Starts the usage ledger when server.usage_db names a database (a failure to open it stops the start). */
  async openLedger(): Promise<void> {
    const s = this.live.config.server;
    if (!s.usage_db) return;
    try {
      this.ledger = await UsageLedger.open(s.usage_db, { retentionDays: s.usage_retention_days, logger: this.live.logger });
    } catch (err) {
      throw new GatewayStartError(`server.usage_db: ${(err as Error).message}`);
    }
    this.accessLog.observers.push(this.ledger); // after the metrics, which stay (the in-flight gauge reads their stream events)
    if (this.metrics) addLedgerReadings(this.metrics, this.ledger);
  }

  /**
   * Stops: no new connections, answers in flight may finish for `graceMs` (default server.shutdown_grace_ms),
   * then the rest are closed; the access log is flushed, the limit store and the database closed. True when
   * everything finished within the grace period.
   */
  async shutdown(graceMs = this.live.config.server.shutdown_grace_ms): Promise<boolean> {
    this.stopping = true;
    this.stopWatching();
    let drained = true;
    if (this.server) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      drained = await Promise.race([
        this.server.stop(false).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!drained) {
        this.live.logger.warn("grace period over: closing the answers still in flight", {
          grace_ms: graceMs,
          streams_in_flight: this.metrics?.streamsInFlight,
        });
        await this.server.stop(true);
      }
    }
    this.accessLog.flush();
    await this.tracer?.exporter.shutdown(Math.min(5000, Math.max(1000, graceMs)));
    await this.ledger?.close();
    const store = this.live.current.store;
    if (store) giveBackSlices(store);
    await store?.close(); // queued settlements and slices reach Redis before the process ends (each write is bounded)
    await this.live.current.responses.close?.();
    await this.db?.close().catch(() => {});
    return drained;
  }

  private routeOptions() {
    const settings = this.live.config.server;
    const metrics = this.metrics;
    const metricsKey = settings.metrics_key ?? (this.env.OCTOLLM_METRICS_KEY || undefined);
    return {
      maxBodyBytes: settings.max_body_bytes,
      jsonCheckMaxBytes: settings.json_check_max_bytes,
      bodyTimeoutMs: settings.body_timeout_ms,
      metricsKey,
      accessLog: this.accessLog,
      tracer: this.tracer,
      version: pkg.version,
      metrics: metrics && (() => metrics.render()),
      ready: () => this.ready(),
      extraRoutes: {
        "/v1/usage": usageRoute(
          () => this.live.current,
          () => this.ledger,
        ),
        "/admin/usage": adminUsageRoute(
          () => adminKeyOf(this.live.config.server.admin_key ?? this.env.OCTOLLM_ADMIN_KEY),
          () => this.ledger,
          this.adminThrottle,
        ),
        ...this.dashboard?.routes(),
        ...(this.admin ? { "/admin/*": this.admin } : {}),
      },
    };
  }

  private routes() {
    return gatewayRoutes(() => this.live.current, this.routeOptions());
  }
}

/** Creates a gateway from its config source; throws GatewayStartError with every problem when it cannot start. */
export async function createGateway(init: GatewayInit): Promise<Gateway> {
  const gateway = await createGatewayFromSource(init);
  await gateway.openLedger();
  return gateway;
}

async function createGatewayFromSource(init: GatewayInit): Promise<Gateway> {
  const env = init.env ?? process.env;
  const { source } = init;
  const logger = init.logger ?? log;
  const envMetricsKey = env.OCTOLLM_METRICS_KEY;
  if (envMetricsKey && envMetricsKey.length < ADMIN_KEY_MIN)
    throw new GatewayStartError(`the metrics key (OCTOLLM_METRICS_KEY) needs at least ${ADMIN_KEY_MIN} characters`);
  if ("config" in source)
    return new Gateway(
      new LiveConfig({ label: "config", load: async () => ({ ok: true, config: source.config }) }, source.config, 1, env, logger),
      "config",
      () => {},
      undefined,
      undefined,
      init,
    );
  if ("file" in source) {
    const result = await loadConfigFile(source.file, env);
    if (!result.ok)
      throw new GatewayStartError(
        `${result.problems.length} problem(s) in ${source.file}`,
        result.problems.map((p) => formatProblem(source.file, p)),
      );
    const live = new LiveConfig(fileLoader(source.file, env), result.config, 1, env, logger);
    const stop = watchConfig(source.file, (reason) => void live.reload(reason), { watchFile: source.watch !== false, logger });
    return new Gateway(live, `config ${source.file}`, stop, undefined, undefined, init);
  }
  let db: DbConfigSource;
  let first: Awaited<ReturnType<DbConfigSource["load"]>>;
  try {
    db = await DbConfigSource.open(await openDatabase(source.database), { env, serverOverrides: source.serverOverrides, logger });
    first = await db.load();
  } catch (err) {
    throw new GatewayStartError((err as Error).message);
  }
  const label = db.db.label;
  if (!first.ok)
    throw new GatewayStartError(
      `${first.problems.length} problem(s) in the config of ${label} (version ${first.version})`,
      first.problems.map((p) => formatProblem(label, p)),
    );
  const adminKey = first.config.server.admin_key ?? env.OCTOLLM_ADMIN_KEY;
  if (adminKey !== undefined && adminKey.length < ADMIN_KEY_MIN) {
    throw new GatewayStartError(
      `the admin key (${first.config.server.admin_key !== undefined ? "server.admin_key" : "OCTOLLM_ADMIN_KEY"}) needs at least ${ADMIN_KEY_MIN} characters`,
    );
  }
  const live = new LiveConfig({ label, load: () => db.load() }, first.config, first.version, env, logger);
  const onVersion = (version: number) => {
    if (version > live.version) void live.reload(`database version ${version}`); // an admin write here may have loaded it already
  };
  const stop = db.watch(first.version, onVersion, first.config.server.config_poll_ms);
  const throttle = new AuthThrottle({ logger });
  const admin = adminKey
    ? adminHandler({ source: db, adminKey, env, throttle, onWrite: (version) => void live.reload(`admin write, version ${version}`) })
    : undefined;
  return new Gateway(live, `config ${label} version ${first.version}${admin ? "; admin API on /admin" : ""}`, stop, db.db, admin, init, throttle);
}

/** An admin key that is long enough to use (a shorter one is refused at start in database mode; here it serves nothing). */
function adminKeyOf(key: string | undefined): string | undefined {
  return key !== undefined && key.length >= ADMIN_KEY_MIN ? key : undefined;
}
