// What `octollm claude` and `octollm codex` share: finding the client's command, loading the config, and
// running the client with the gateway started in this process on a free loopback port (or at --url).
import { constants, existsSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { configSecrets, loadConfigFile, formatProblem, upstreamKeyUse, type Config } from "../config";
import { Logger } from "../core";
import { GatewayStartError, createGateway } from "../gateway";

/** Where a client's command is: the named variable, else on PATH, else installed next to this project or the current directory. */
export function findCommand(name: string, variable: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const chosen = env[variable];
  if (chosen) return existsSync(chosen) ? chosen : undefined; // chosen on purpose
  const onPath = Bun.which(name, { PATH: env.PATH ?? "" });
  if (onPath) return onPath;
  for (const dir of [process.cwd(), resolve(import.meta.dir, "../..")]) {
    const local = join(dir, "node_modules", ".bin", name);
    if (existsSync(local)) return local;
  }
  return undefined;
}

/** The config, or the process exits after printing its problems. */
export async function loadOrExit(file: string): Promise<Config> {
  const result = await loadConfigFile(file);
  if (!result.ok) {
    for (const p of result.problems) console.error(formatProblem(file, p));
    console.error(`octollm: ${result.problems.length} problem(s) in ${file}`);
    process.exit(1);
  }
  return result.config;
}

/** The arguments after `--` (passed to the client untouched). */
export function passThrough(argv: string[]): string[] {
  const at = argv.indexOf("--");
  return at < 0 ? [] : argv.slice(at + 1);
}

/** The first gateway API key of a config (a local proxy usually has none). */
export function firstKey(config: Config): string | undefined {
  for (const org of Object.values(config.users)) for (const key of Object.values(org.api_keys)) return key;
  return undefined;
}

/** Whether a model of the config passes the client's own key on (`auth: client`): then the client's own credential goes. */
export function passesClientKey(config: Config | undefined): boolean {
  return !!config && Object.values(config.models).some((m) => Object.values(m.backends).some((b) => b.auth === "client"));
}

/** The flags of a launcher command (octollm claude, octollm codex). */
export const LAUNCH_ARGS = {
  config: { type: "string", alias: "c", description: "Config file (YAML)", default: "config.yaml" },
  url: { type: "string", description: "Use a gateway that is already running at this URL instead of starting one" },
  "log-file": { type: "string", description: "Where the gateway's access and log lines go (default: a file in the temp directory)" },
} as const;

/** Options of a launch: the config, or the URL of a gateway already running, and where log lines go. */
export interface LaunchArgs {
  config: string;
  url?: string;
  "log-file"?: string;
}

/** Runs `client(url, config)` against a gateway (started here unless --url names one), then exits with its code. */
export async function launchWith(name: string, args: LaunchArgs, client: (url: string, config: Config | undefined) => Promise<number>): Promise<never> {
  if (args.url) process.exit(await client(args.url, existsSync(args.config) ? await loadOrExit(args.config) : undefined));
  if (!existsSync(args.config)) {
    console.error(`octollm: no config at ${args.config}: pass one with -c (examples/config-mock.yaml runs offline), or --url of a running gateway`);
    process.exit(1);
  }
  const logFile = args["log-file"] ?? join(mkdtempSync(join(tmpdir(), `octollm-${name}-`)), "gateway.log"); // a private (0700) directory
  let sink: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  try {
    sink = Bun.file(openLogFile(logFile)).writer();
  } catch (err) {
    console.error(`octollm: cannot open the log file ${logFile}: ${(err as Error).message}`);
    process.exit(1);
  }
  const write = (line: string) => void sink.write(line);
  const logger = new Logger(write);
  logger.format = "json";
  let gateway: Awaited<ReturnType<typeof createGateway>>;
  try {
    gateway = await createGateway({ source: { file: args.config }, logger, accessLog: { sink: { write }, format: "json" } });
  } catch (err) {
    if (err instanceof GatewayStartError) for (const p of err.problems) console.error(p);
    console.error(`octollm: ${(err as Error).message}`);
    process.exit(1);
  }
  const server = gateway.listen("127.0.0.1", 0);
  console.error(`octollm: gateway on ${server.url.href} (${args.config}); log lines go to ${logFile}`);
  const empty = upstreamKeyUse(gateway.live.config, process.env).empty; // said on the terminal, as serve says it
  if (empty.length) console.error(`octollm: warning: these backends' api_key resolved empty, so they send no key: ${empty.join(", ")}`);
  const code = await client(server.url.href, gateway.live.config);
  await gateway.shutdown(1000);
  await sink.end();
  process.exit(code);
}

/** A log file opened for appending, readable by its owner only (0600), never through a symbolic link. */
export function openLogFile(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o600);
}

/** The gateway's own secrets, never handed to a client it launches (the client needs only what `extra` gives it). */
const GATEWAY_SECRET_VARIABLES = ["OCTOLLM_ADMIN_KEY", "OCTOLLM_METRICS_KEY", "OCTOLLM_SIGNING_SECRET", "OCTOLLM_API_KEY"];

/** A client's environment: this process's, without the gateway's secrets (named ones, and any holding a config secret), plus `extra`. */
export function clientEnv(base: Record<string, string | undefined>, extra: Record<string, string>, config: Config | undefined): Record<string, string> {
  const secrets = new Set(config ? configSecrets(config, base).filter((v) => v.length >= 8) : []);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !GATEWAY_SECRET_VARIABLES.includes(k) && !secrets.has(v)) out[k] = v;
  return { ...out, ...extra };
}

/** Runs a client command with extra environment; resolves with its exit code. Ctrl-C belongs to the client while it runs. */
export async function runClient(command: string, args: string[], env: Record<string, string>, config?: Config): Promise<number> {
  const child = Bun.spawn([command, ...args], { env: clientEnv(process.env, env, config), stdio: ["inherit", "inherit", "inherit"] });
  const ignore = () => {}; // the terminal sends SIGINT to both: the client decides what it means
  process.on("SIGINT", ignore);
  const forward = () => child.kill("SIGTERM");
  process.on("SIGTERM", forward);
  const code = await child.exited;
  process.off("SIGINT", ignore);
  process.off("SIGTERM", forward);
  return code;
}
