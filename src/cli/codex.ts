// `octollm codex` runs the Codex CLI through the gateway: the gateway starts in this process (or --url names a
// running one) and Codex gets a provider pointing at it through `-c` overrides, so nothing is written to the
// user's ~/.codex (their sign-in, history and settings stay as they were).
import { defineCommand } from "citty";
import type { Config } from "../config";
import { PLACEHOLDER_TOKEN } from "./claude";
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

/** The arguments for codex: a subcommand the user gave (exec, resume, …) first, then the overrides, then the rest. */
export function codexArgs(baseUrl: string, extra: string[]): string[] {
  const sub = extra[0] && !extra[0].startsWith("-") && ["exec", "e", "resume", "review", "apply"].includes(extra[0]) ? [extra[0]] : [];
  return [...sub, ...codexOverrides(baseUrl), ...extra.slice(sub.length)];
}

const NOT_INSTALLED = `Codex is not installed (no "codex" command on PATH).
Install it:  npm install -g @openai/codex
or, in a project:  npm install @openai/codex  (octollm then finds node_modules/.bin/codex)`;

/** `octollm codex`: the gateway and Codex in one command. */
export const codexCommand = defineCommand({
  meta: { name: "codex", description: "Run the Codex CLI through the gateway (started here on a free loopback port, or --url)" },
  args: LAUNCH_ARGS,
  async run({ args }) {
    const codex = findCommand("codex", "OCTOLLM_CODEX_BIN");
    if (!codex) {
      console.error(NOT_INSTALLED);
      process.exit(127);
    }
    const extra = passThrough(process.argv);
    const key = (config: Config | undefined) => (config && firstKey(config)) ?? PLACEHOLDER_TOKEN;
    await launchWith("codex", args, (url, config) => runClient(codex, codexArgs(url, extra), { [CODEX_KEY_VARIABLE]: key(config) }, config));
  },
});
