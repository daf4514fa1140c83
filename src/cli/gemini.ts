// `octollm gemini` runs Gemini CLI through the gateway. Gemini CLI needs a settings file to accept a gateway (with
// only the environment it refuses the auth type it derives, "Invalid auth method selected."), and the one place a
// user can give it one without root is its home: so the launcher keeps a home of its own for these runs, whose
// settings are the user's own with API-key auth chosen, and which links the user's memory, commands, extensions,
// skills, agents and policies. Nothing is written into the user's ~/.gemini.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "citty";
import type { Config } from "../config";
import { PLACEHOLDER_TOKEN } from "./claude";
import { LAUNCH_ARGS, findCommand, firstKey, launchWith, passThrough, passesClientKey, runClient } from "./launch";

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** What the user wrote in their ~/.gemini and the launcher's home links to (read through the link, never copied). */
export const LINKED = ["GEMINI.md", "commands", "extensions", "skills", "agents", "policies"];

/** The launcher's Gemini CLI home: $XDG_STATE_HOME/octollm/gemini-cli, else ~/.local/state/octollm/gemini-cli. */
export function launcherHome(env: Env = process.env): string {
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state"), "octollm", "gemini-cli");
}

/** The user's own Gemini CLI folder (their GEMINI_CLI_HOME when they set one, else their home). */
export function userGeminiDir(env: Env = process.env): string {
  return join(env.GEMINI_CLI_HOME || env.HOME || homedir(), ".gemini");
}

const object = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

/**
 * The settings for a run through the gateway: the user's own (parsed as the CLI does, comments allowed) with
 * API-key auth chosen (an enforced or external auth type of theirs would refuse the gateway), and no usage
 * statistics or update checks (nothing leaves the machine but the gateway's own calls).
 */
export function gatewaySettings(userText: string | undefined): Json {
  let user: Json = {};
  try {
    user = userText ? object(structuredClone(Bun.JSONC.parse(userText))) : {};
  } catch {
    user = {}; // a file the CLI could not read either
  }
  const security = object(user.security);
  const { enforcedType: _enforced, useExternal: _external, ...auth } = object(security.auth);
  return {
    ...user,
    security: { ...security, auth: { ...auth, selectedType: "gemini-api-key" } },
    privacy: { ...object(user.privacy), usageStatisticsEnabled: false },
    general: { ...object(user.general), enableAutoUpdate: false, enableAutoUpdateNotification: false },
  };
}

/** Makes the launcher's home (0700): its settings written afresh, the user's own files linked where absent. */
export function prepareHome(home: string, userDir: string): void {
  const dir = join(home, ".gemini");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // a folder made earlier by something else is the launcher's now
  const userSettings = join(userDir, "settings.json");
  const text = existsSync(userSettings) ? readFileSync(userSettings, "utf8") : undefined;
  const settings = join(dir, "settings.json");
  rmSync(settings, { force: true }); // a new file, never written through whatever sits there (a link to elsewhere)
  writeFileSync(settings, `${JSON.stringify(gatewaySettings(text), null, 2)}\n`, { mode: 0o600, flag: "wx" });
  for (const name of LINKED) {
    const target = join(userDir, name);
    const link = join(dir, name);
    const current = linkTarget(link);
    if (current === target || (current === undefined && existsSync(link))) continue; // linked, or a file the CLI made here
    if (current !== undefined) rmSync(link); // a link to somewhere else (the user moved their home)
    if (existsSync(target)) symlinkSync(target, link);
  }
}

/** Where a symbolic link points, or undefined when the path is not one. */
function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment that points Gemini CLI at a gateway, from the launcher's home. */
export function geminiEnv(baseUrl: string, home: string, config: Config | undefined, env: Env = process.env): Record<string, string> {
  const out: Record<string, string> = { GEMINI_CLI_HOME: home, GOOGLE_GEMINI_BASE_URL: baseUrl.replace(/\/+$/, "") };
  // a model that passes the client's own key on needs the user's GEMINI_API_KEY; any other gets the gateway's key
  if (!(passesClientKey(config) && env.GEMINI_API_KEY)) out.GEMINI_API_KEY = (config && firstKey(config)) ?? PLACEHOLDER_TOKEN;
  return out;
}

const NOT_INSTALLED = `Gemini CLI is not installed (no "gemini" command on PATH).
Install it:  npm install -g @google/gemini-cli
or, in a project:  npm install @google/gemini-cli  (octollm then finds node_modules/.bin/gemini)`;

/** `octollm gemini`: the gateway and Gemini CLI in one command. */
export const geminiCommand = defineCommand({
  meta: { name: "gemini", description: "Run Gemini CLI through the gateway (started here on a free loopback port, or --url)" },
  args: LAUNCH_ARGS,
  async run({ args }) {
    const gemini = findCommand("gemini", "OCTOLLM_GEMINI_BIN");
    if (!gemini) {
      console.error(NOT_INSTALLED);
      process.exit(127);
    }
    const home = launcherHome();
    try {
      prepareHome(home, userGeminiDir());
    } catch (err) {
      console.error(`octollm: cannot prepare Gemini CLI's home at ${home}: ${(err as Error).message}`);
      process.exit(1);
    }
    const extra = passThrough(process.argv);
    await launchWith("gemini", args, (url, config) => runClient(gemini, extra, geminiEnv(url, home, config), config));
  },
});
