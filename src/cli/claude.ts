// `octollm claude` runs Claude Code through the gateway: the gateway starts in this process on a free loopback
// port (or an existing one is named with --url), Claude Code gets the environment that points it there, and the
// gateway stops when Claude Code exits. `octollm env` prints that environment for people who start it themselves.
import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import type { Config } from "../config";
import { claudeTraceEnv } from "./trace-env";
import { LAUNCH_ARGS, findCommand, firstKey, launchWith, loadOrExit, passThrough, passesClientKey, runClient } from "./launch";

/** The token Claude Code sends when the gateway has no keys (it needs one to start without a login). */
export const PLACEHOLDER_TOKEN = "octollm-local";

/** What keeps Claude Code from calling home, and nothing more. */
const QUIET = { DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1", DISABLE_AUTOUPDATER: "1", DISABLE_BUG_COMMAND: "1" };

/** The environment that points Claude Code at a gateway. */
export function claudeEnv(baseUrl: string, config: Config | undefined): Record<string, string> {
  // no telemetry, error reports, update checks or bug reports (all of which leave the machine), named one by one: the
  // broader CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC would also stop the gateway model discovery a user may turn on
  // (CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1 asks the gateway's /v1/models for the /model picker)
  const env: Record<string, string> = { ANTHROPIC_BASE_URL: baseUrl.replace(/\/+$/, ""), ...QUIET };
  if (!passesClientKey(config)) env.ANTHROPIC_AUTH_TOKEN = (config && firstKey(config)) ?? PLACEHOLDER_TOKEN; // else Claude Code's own login goes through
  return env;
}

/** Where the `claude` command is: OCTOLLM_CLAUDE_BIN, else on PATH, else installed next to this project or the current directory. */
export function findClaude(env: Record<string, string | undefined> = process.env): string | undefined {
  return findCommand("claude", "OCTOLLM_CLAUDE_BIN", env);
}

const NOT_INSTALLED = `Claude Code is not installed (no "claude" command on PATH).
Install it:  npm install -g @anthropic-ai/claude-code
or, in a project:  npm install @anthropic-ai/claude-code  (octollm then finds node_modules/.bin/claude)`;

/** `octollm claude`: the gateway and Claude Code in one command. */
export const claudeCommand = defineCommand({
  meta: { name: "claude", description: "Run Claude Code through the gateway (started here on a free loopback port, or --url)" },
  args: {
    ...LAUNCH_ARGS,
    trace: {
      type: "boolean",
      description: "Also Claude Code's own OpenTelemetry traces, to the gateway's collector (server.otel or OTEL_*): one trace with the gateway's spans",
    },
  },
  async run({ args }) {
    const claude = findClaude();
    if (!claude) {
      console.error(NOT_INSTALLED);
      process.exit(127);
    }
    const extra = passThrough(process.argv);
    await launchWith("claude", args, (url, config) => {
      let env = claudeEnv(url, config);
      if (args.trace) {
        try {
          env = { ...env, ...claudeTraceEnv(config) };
        } catch (err) {
          console.error(`octollm claude: ${(err as Error).message}`);
          return Promise.resolve(1);
        }
      }
      return runClient(claude, extra, env, config);
    });
  },
});

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
    const scheme = config?.server.tls ? "https" : "http";
    const url = args.url ?? `${scheme}://${host.includes(":") ? `[${host}]` : host}:${config?.server.port ?? 8080}`;
    let lines: string[] | undefined;
    try {
      lines = exportLines(claudeEnv(url, config), args.shell);
    } catch (err) {
      console.error(`octollm env: ${(err as Error).message}`);
      process.exit(1);
    }
    if (!lines) {
      console.error(`octollm env: --shell must be bash, zsh, sh, fish or powershell, got "${args.shell}"`);
      process.exit(1);
    }
    console.log(lines.join("\n"));
  },
});

/** Single-quoted for each shell: POSIX shells end and reopen the quote; fish escapes \\ and ' inside it;
 * PowerShell doubles every character it takes for a single quote (the typographic ones too). */
const QUOTERS: Record<string, (v: string) => string> = {
  posix: (v) => `'${v.replaceAll("'", `'\\''`)}'`,
  fish: (v) => `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`,
  powershell: (v) => `'${v.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`,
};

/**
 * The environment as one shell's export lines (undefined for an unknown shell). A value with a control character
 * (a newline, NUL, an escape) is refused rather than quoted: no shell is left to read it.
 */
export function exportLines(env: Record<string, string>, shell: string): string[] | undefined {
  for (const [k, v] of Object.entries(env))
    if (/[\u0000-\u001f\u007f]/.test(v)) throw new Error(`the value of ${k} holds a control character; it cannot be printed for a shell safely`);
  const quoted = QUOTERS[shell === "fish" || shell === "powershell" ? shell : "posix"]!;
  const entries = Object.entries(env);
  if (["bash", "zsh", "sh"].includes(shell)) return entries.map(([k, v]) => `export ${k}=${quoted(v)}`);
  if (shell === "fish") return entries.map(([k, v]) => `set -gx ${k} ${quoted(v)}`);
  if (shell === "powershell") return entries.map(([k, v]) => `$env:${k} = ${quoted(v)}`);
  return undefined;
}
