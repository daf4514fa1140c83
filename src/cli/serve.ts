import { defineCommand } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { LiveConfig, formatProblem, loadConfigFile, watchConfig } from "../config";
import { AccessLog, startServer } from "../server";
import { parsePort } from "./args";

/** `octollm serve -c FILE [--host H] [--port P]`: validates the config and serves it. */
export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Start the gateway" },
  args: {
    config: { type: "string", alias: "c", description: "Config file (YAML)", default: "config.yaml" },
    host: { type: "string", description: "Listen address (overrides server.host)" },
    port: { type: "string", description: "Listen port (overrides server.port)" },
    watch: { type: "boolean", description: "Reload when the config file changes (--no-watch: only on SIGHUP)", default: true },
  },
  async run({ args }) {
    const result = await loadConfigFile(args.config);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(args.config, p));
      console.error(`octollm: refusing to start: ${result.problems.length} problem(s) in ${args.config}`);
      process.exit(1);
    }
    const { config } = result;
    const live = new LiveConfig(args.config, config);
    const log = new AccessLog(undefined, config.server.access_log);
    const server = startServer(() => live.current, {
      host: args.host ?? config.server.host,
      port: args.port !== undefined ? parsePort(args.port) : config.server.port,
      maxBodyBytes: config.server.max_body_bytes,
      jsonCheckMaxBytes: config.server.json_check_max_bytes,
      accessLog: log,
      version: pkg.version,
    });
    const stopWatching = watchConfig(args.config, (reason) => void live.reload(reason), { watchFile: args.watch });
    const stop = () => {
      stopWatching();
      log.flush();
      server.stop(true);
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    console.error(`octollm ${pkg.version} listening on ${server.url} (config ${args.config}; models: ${live.current.models.join(", ")})`);
  },
});
