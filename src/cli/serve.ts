import { defineCommand } from "citty";
import { parse as parseYaml } from "yaml";
import pkg from "../../package.json" with { type: "json" };
import { adminHandler } from "../admin";
import {
  DbConfigSource, LiveConfig, fileLoader, formatProblem, loadConfigFile, openDatabase, watchConfig, type Config, type ServerOverrides,
} from "../config";
import { AccessLog, startServer } from "../server";
import { parsePort } from "./args";

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
  const stopWatching = source.watch(first.version, (version) => void live.reload(`database version ${version}`), first.config.server.config_poll_ms);
  const adminKey = first.config.server.admin_key ?? process.env.OCTOLLM_ADMIN_KEY;
  const admin = adminKey ? adminHandler({ source, adminKey, onWrite: (version) => void live.reload(`admin write, version ${version}`) }) : undefined;
  start(args, live, stopWatching, `config ${source.db.label} version ${first.version}${admin ? "; admin API on /admin" : ""}`, admin);
}

function start(args: ServeArgs, live: LiveConfig, stopWatching: Stop, source: string, admin?: (req: Request) => Promise<Response>): void {
  const { server: settings } = live.config;
  const log = new AccessLog(undefined, settings.access_log);
  const server = startServer(() => live.current, {
    host: args.host ?? settings.host,
    port: args.port !== undefined ? parsePort(args.port) : settings.port,
    maxBodyBytes: settings.max_body_bytes,
    jsonCheckMaxBytes: settings.json_check_max_bytes,
    accessLog: log,
    version: pkg.version,
    extraRoutes: admin ? { "/admin/*": admin } : undefined,
  });
  const stop = () => {
    stopWatching();
    log.flush();
    server.stop(true);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.error(`octollm ${pkg.version} listening on ${server.url} (${source}; models: ${live.current.models.join(", ")})`);
}
