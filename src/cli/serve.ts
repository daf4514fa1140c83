import { defineCommand } from "citty";
import { parse as parseYaml } from "yaml";
import pkg from "../../package.json" with { type: "json" };
import { formatProblem, loadConfigFile, type Config, type ServerOverrides } from "../config";
import { Logger, type LogLevel } from "../core";
import { GatewayStartError, createGateway, type Gateway, type GatewaySource } from "../gateway";
import { parsePort } from "./args";
import { summary } from "./serve-summary";

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
    const source = await sourceOf(args);
    const logger = new Logger(); // this process's log: the gateway and its engines write to it
    let gateway: Gateway;
    try {
      gateway = await createGateway({ source, logger });
    } catch (err) {
      if (err instanceof GatewayStartError) fail(err.problems, `refusing to start: ${err.message}`);
      throw err;
    }
    applyLogSettings(args, gateway.live.config, logger);
    gateway.accessLog.format = accessFormat(args, gateway.live.config);
    guardProcess(logger);
    serve(args, gateway);
  },
});

interface ServeArgs {
  config: string;
  "config-db"?: string;
  host?: string;
  port?: string;
  watch: boolean;
  "log-level"?: string;
  "log-format"?: string;
}

/** The config source the arguments name: --config-db, a file whose server.config_db names a database, or the file. */
async function sourceOf(args: ServeArgs): Promise<GatewaySource> {
  if (args["config-db"]) return { database: args["config-db"] };
  const result = await loadConfigFile(args.config);
  if (!result.ok)
    fail(
      result.problems.map((p) => formatProblem(args.config, p)),
      `refusing to start: ${result.problems.length} problem(s) in ${args.config}`,
    );
  if (result.config.server.config_db === undefined) return { file: args.config, watch: args.watch };
  const { config_db: _, ...rest } = parseYaml(await Bun.file(args.config).text())?.server ?? {};
  return { database: result.config.server.config_db, serverOverrides: rest as ServerOverrides }; // the file's server settings win
}

/** Listens, reloads on SIGHUP, and shuts down gracefully on SIGTERM/SIGINT (a second signal exits at once). */
function serve(args: ServeArgs, gateway: Gateway): void {
  const log = gateway.live.logger;
  const settings = gateway.live.config.server;
  const host = args.host ?? settings.host;
  const port = args.port !== undefined ? parsePort(args.port) : settings.port;
  let server: Bun.Server<undefined>;
  try {
    server = gateway.listen(host, port);
  } catch (err) {
    const code = (err as { code?: string })?.code;
    if (code === "EADDRINUSE") fail([], `cannot listen on ${host}:${port}: the port is already in use (is another gateway running?)`);
    fail([], `cannot listen on ${host}:${port}: ${(err as Error)?.message ?? err}`);
  }
  const onHup = () => void gateway.reload("SIGHUP");
  process.on("SIGHUP", onHup);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    process.off("SIGHUP", onHup);
    log.info("shutting down: new connections are refused; answers in flight may finish", {
      signal,
      grace_ms: settings.shutdown_grace_ms,
      streams_in_flight: gateway.metrics?.streamsInFlight,
    });
    const drained = await gateway.shutdown();
    log.info("stopped", { drained });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  console.error(`octollm ${pkg.version} listening on ${server.url} (${gateway.source}; models: ${gateway.models.join(", ")})`);
  for (const line of summary(gateway.live, server.url.href, gateway.hasAdmin, gateway.metrics !== undefined)) console.error(line);
  if (gateway.dashboard) console.error(gateway.dashboard.openLine(server.url.href));
}

/**
 * A failure that no request path caught (a rejected promise nobody awaited, a throw in a timer) is logged and the
 * gateway keeps serving: one bad request or backend must never take every other request down with it.
 */
function guardProcess(log: Logger): void {
  let last = 0,
    suppressed = 0;
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

/** Access lines: the format --log-format or server.log_format forces, else text on a terminal and JSON otherwise. */
function accessFormat(args: ServeArgs, config: Config): "json" | "text" {
  const forced = args["log-format"] ?? config.server.log_format;
  if (forced === "json" || forced === "text") return forced;
  return process.stdout.isTTY ? "text" : "json";
}

/** The --log-level / --log-format flags over the config's server settings. */
function applyLogSettings(args: ServeArgs, config: Config, log: Logger): void {
  const level = args["log-level"] ?? config.server.log_level;
  if (!["debug", "info", "warn", "error"].includes(level)) fail([], `--log-level must be debug, info, warn or error, got "${level}"`);
  log.level = level as LogLevel;
  const format = args["log-format"] ?? config.server.log_format;
  if (!["auto", "json", "text"].includes(format)) fail([], `--log-format must be auto, json or text, got "${format}"`);
  if (format !== "auto") log.format = format as "json" | "text";
}
