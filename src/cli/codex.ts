// `octollm codex` runs the Codex CLI through the gateway: the gateway starts in this process (or --url names a
// running one) and Codex gets a provider pointing at it through `-c` overrides, so nothing is written to the
// user's ~/.codex (their sign-in, history and settings stay as they were).
import { defineCommand } from "citty";
import type { Config } from "../config";
import { PLACEHOLDER_TOKEN } from "./claude";
import { codexTraceArgs } from "./trace-env";
import { LAUNCH_ARGS, findCommand, firstKey, launchWith, passThrough, runClient } from "./launch";

/** The variable Codex reads the gateway key from (named in the provider's env_key). */
export const CODEX_KEY_VARIABLE = "OCTOLLM_CODEX_KEY";

/** The `-c` overrides that make a provider named octollm, pointing at the gateway, Codex's provider for this run. */
export function codexOverrides(baseUrl: string): string[] {
  const base = `${baseUrl.replace(/\/+$/, "")}/v1`;
  const set = (key: string, value: string) => ["-c", `${key}=${JSON.stringify(value)}`];
  return [
    ...set("model_providers.octollm.name", "OctoLLM"),
    ...set("model_providers.octollm.base_url", base),
    ...set("model_providers.octollm.env_key", CODEX_KEY_VARIABLE),
    ...set("model_providers.octollm.wire_api", "responses"),
    ...set("model_provider", "octollm"),
  ];
}

const SUBCOMMANDS = ["exec", "e", "resume", "fork", "review", "apply"];
/** Subcommands that open the terminal UI (as `codex` alone does), where the background-server and migration notices apply. */
const INTERACTIVE = ["resume", "fork"];

/** Whether codex with these arguments opens its terminal UI. */
export function opensUi(extra: string[]): boolean {
  return !(extra[0] && SUBCOMMANDS.includes(extra[0]) && !INTERACTIVE.includes(extra[0]));
}

/**
 * The arguments for codex: a subcommand the user gave (exec, resume, …) first, then the overrides, then the rest.
 * The terminal UI also gets `--no-daemon` (the overrides need Codex's embedded mode; said explicitly, it does not
 * warn "Running without the shared background server") and every model migration marked as seen, so a model
 * name chosen for the gateway is not met by a "Try new model" prompt that would rewrite ~/.codex/config.toml.
 */
export function codexArgs(baseUrl: string, extra: string[], migrations: Record<string, string> = {}, more: string[] = []): string[] {
  const sub = extra[0] && SUBCOMMANDS.includes(extra[0]) ? [extra[0]] : [];
  const rest = extra.slice(sub.length);
  const interactive = opensUi(extra);
  const ui: string[] = [];
  if (interactive && !rest.includes("--no-daemon")) ui.push("--no-daemon");
  const seen = Object.entries(migrations).map(([from, to]) => `${JSON.stringify(from)}=${JSON.stringify(to)}`);
  if (interactive && seen.length) ui.push("-c", `notice.model_migrations={${seen.join(",")}}`);
  return [...sub, ...codexOverrides(baseUrl), ...more, ...ui, ...rest];
}

/** The model migrations in the installed Codex's bundled catalog (old name → suggested name); none when it cannot say. */
export function bundledMigrations(codex: string, env: Record<string, string | undefined> = process.env): Record<string, string> {
  try {
    const r = Bun.spawnSync([codex, "debug", "models", "--bundled"], { env, stdin: "ignore", stdout: "pipe", stderr: "ignore", timeout: 10_000 });
    const catalog = JSON.parse(r.stdout.toString()) as { models?: { slug?: unknown; upgrade?: { model?: unknown } | null }[] };
    const out: Record<string, string> = {};
    for (const m of catalog.models ?? []) if (typeof m.slug === "string" && typeof m.upgrade?.model === "string") out[m.slug] = m.upgrade.model;
    return out;
  } catch {
    return {};
  }
}

const NOT_INSTALLED = `Codex is not installed (no "codex" command on PATH).
Install it:  npm install -g @openai/codex
or, in a project:  npm install @openai/codex  (octollm then finds node_modules/.bin/codex)`;

/** `octollm codex`: the gateway and Codex in one command. */
export const codexCommand = defineCommand({
  meta: { name: "codex", description: "Run the Codex CLI through the gateway (started here on a free loopback port, or --url)" },
  args: {
    ...LAUNCH_ARGS,
    trace: {
      type: "boolean",
      description: "Also Codex's own OpenTelemetry traces, to the gateway's collector (server.otel or OTEL_*): one trace with the gateway's spans",
    },
  },
  async run({ args }) {
    const codex = findCommand("codex", "OCTOLLM_CODEX_BIN");
    if (!codex) {
      console.error(NOT_INSTALLED);
      process.exit(127);
    }
    const extra = passThrough(process.argv);
    const key = (config: Config | undefined) => (config && firstKey(config)) ?? PLACEHOLDER_TOKEN;
    const migrations = opensUi(extra) ? bundledMigrations(codex) : {};
    await launchWith("codex", args, (url, config) => {
      let trace: string[] = [];
      if (args.trace) {
        try {
          trace = codexTraceArgs(config);
        } catch (err) {
          console.error(`octollm codex: ${(err as Error).message}`);
          return Promise.resolve(1);
        }
      }
      return runClient(codex, codexArgs(url, extra, migrations, trace), { [CODEX_KEY_VARIABLE]: key(config) }, config);
    });
  },
});
