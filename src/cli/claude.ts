// `octollm claude` runs Claude Code through the gateway: the gateway starts in this process on a free loopback
// port (or an existing one is named with --url), Claude Code gets the environment that points it there, and the
// gateway stops when Claude Code exits. `octollm env` prints that environment for people who start it themselves.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defineCommand } from "citty";
import { loadConfigFile, formatProblem, type Config } from "../config";
import { Logger } from "../core";
import { GatewayStartError, createGateway } from "../gateway";

/** The token Claude Code sends when the gateway has no keys (it needs one to start without a login). */
export const PLACEHOLDER_TOKEN = "octollm-local";

/** The environment that points Claude Code at a gateway. */
export function claudeEnv(baseUrl: string, config: Config | undefined): Record<string, string> {
  const env: Record<string, string> = { ANTHROPIC_BASE_URL: baseUrl.replace(/\/+$/, ""), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" };
  const clientAuth = config && Object.values(config.models).some((m) => Object.values(m.backends).some((b) => b.auth === "client"));
  if (!clientAuth) env.ANTHROPIC_AUTH_TOKEN = (config && firstKey(config)) ?? PLACEHOLDER_TOKEN; // else Claude Code's own login goes through
  return env;
}

/** The first gateway API key of a config (a local proxy usually has none). */
function firstKey(config: Config): string | undefined {
  for (const org of Object.values(config.users)) for (const key of Object.values(org.api_keys)) return key;
  return undefined;
}

/** Where the `claude` command is: OCTOLLM_CLAUDE_BIN, else on PATH, else installed next to this project or the current directory. */
export function findClaude(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.OCTOLLM_CLAUDE_BIN) return existsSync(env.OCTOLLM_CLAUDE_BIN) ? env.OCTOLLM_CLAUDE_BIN : undefined; // chosen on purpose
  const onPath = Bun.which("claude", { PATH: env.PATH ?? "" });
  if (onPath) return onPath;
  for (const dir of [process.cwd(), resolve(import.meta.dir, "../..")]) {
    const local = join(dir, "node_modules", ".bin", "claude");
    if (existsSync(local)) return local;
  }
  return undefined;
}

const NOT_INSTALLED = `Claude Code is not installed (no "claude" command on PATH).
Install it:  npm install -g @anthropic-ai/claude-code
or, in a project:  npm install @anthropic-ai/claude-code  (octollm then finds node_modules/.bin/claude)`;

async function loadOrExit(file: string): Promise<Config> {
  const result = await loadConfigFile(file);
  if (!result.ok) {
    for (const p of result.problems) console.error(formatProblem(file, p));
    console.error(`octollm: ${result.problems.length} problem(s) in ${file}`);
    process.exit(1);
  }
  return result.config;
}

/** The arguments after `--` (passed to claude untouched). */
function passThrough(argv: string[]): string[] {
  const at = argv.indexOf("--");
  return at < 0 ? [] : argv.slice(at + 1);
}

/** `octollm claude`: the gateway and Claude Code in one command. */
export const claudeCommand = defineCommand({
  meta: { name: "claude", description: "Run Claude Code through the gateway (started here on a free loopback port, or --url)" },
  args: {
    config: { type: "string", alias: "c", description: "Config file (YAML)", default: "config.yaml" },
    url: { type: "string", description: "Use a gateway that is already running at this URL instead of starting one" },
    "log-file": { type: "string", description: "Where the gateway's access and log lines go (default: a file in the temp directory)" },
  },
  async run({ args }) {
    const claude = findClaude();
    if (!claude) {
      console.error(NOT_INSTALLED);
      process.exit(127);
    }
    const extra = passThrough(process.argv);
    if (args.url) process.exit(await runClaude(claude, extra, claudeEnv(args.url, existsSync(args.config) ? await loadOrExit(args.config) : undefined)));
    if (!existsSync(args.config)) {
      console.error(`octollm: no config at ${args.config}: pass one with -c (examples/config-claude-code.yaml is a start), or --url of a running gateway`);
      process.exit(1);
    }
    const logFile = args["log-file"] ?? join(tmpdir(), `octollm-claude-${process.pid}.log`);
    const sink = Bun.file(logFile).writer();
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
    const code = await runClaude(claude, extra, claudeEnv(server.url.href, gateway.live.config));
    await gateway.shutdown(1000);
    await sink.end();
    process.exit(code);
  },
});

/** Runs claude with the gateway's environment; resolves with its exit code. Ctrl-C belongs to Claude Code while it runs. */
async function runClaude(claude: string, args: string[], env: Record<string, string>): Promise<number> {
  const child = Bun.spawn([claude, ...args], { env: { ...process.env, ...env }, stdio: ["inherit", "inherit", "inherit"] });
  const ignore = () => {}; // the terminal sends SIGINT to both: Claude Code decides what it means
  process.on("SIGINT", ignore);
  const forward = () => child.kill("SIGTERM");
  process.on("SIGTERM", forward);
  const code = await child.exited;
  process.off("SIGINT", ignore);
  process.off("SIGTERM", forward);
  return code;
}

/** `octollm env`: the exports that point Claude Code at a gateway, for a shell. */
export const envCommand = defineCommand({
  meta: { name: "env", description: "Print the environment that points Claude Code at the gateway (eval it in your shell)" },
  args: {
    config: { type: "string", alias: "c", description: "Config file (YAML): its host, port and first API key", default: "config.yaml" },
    url: { type: "string", description: "The gateway's URL (default: from the config's server.host and port)" },
    shell: { type: "string", description: "bash (also zsh, sh), fish or powershell", default: "bash" },
  },
  async run({ args }) {
    const config = existsSync(args.config) ? await loadOrExit(args.config) : undefined;
    if (!config && !args.url) {
      console.error(`octollm: no config at ${args.config}: pass one with -c, or the gateway's --url`);
      process.exit(1);
    }
    const host = config?.server.host === "0.0.0.0" || config?.server.host === "::" ? "127.0.0.1" : (config?.server.host ?? "127.0.0.1");
    const url = args.url ?? `http://${host.includes(":") ? `[${host}]` : host}:${config?.server.port ?? 8080}`;
    const lines = exportLines(claudeEnv(url, config), args.shell);
    if (!lines) {
      console.error(`octollm env: --shell must be bash, zsh, sh, fish or powershell, got "${args.shell}"`);
      process.exit(1);
    }
    console.log(lines.join("\n"));
  },
});

/** The environment as one shell's export lines (undefined for an unknown shell). */
export function exportLines(env: Record<string, string>, shell: string): string[] | undefined {
  const quoted = (v: string) => `'${v.replaceAll("'", shell === "powershell" ? "''" : `'\\''`)}'`;
  const entries = Object.entries(env);
  if (["bash", "zsh", "sh"].includes(shell)) return entries.map(([k, v]) => `export ${k}=${quoted(v)}`);
  if (shell === "fish") return entries.map(([k, v]) => `set -gx ${k} ${quoted(v)}`);
  if (shell === "powershell") return entries.map(([k, v]) => `$env:${k} = ${quoted(v)}`);
  return undefined;
}
