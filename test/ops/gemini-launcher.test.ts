// The Gemini CLI launcher's home: the user's settings (comments allowed) with API-key auth chosen and nothing sent
// home, their own files linked, nothing written into their ~/.gemini; the environment that points the CLI at the gateway.
import { describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gatewaySettings, geminiEnv, launcherHome, prepareHome, userGeminiDir } from "../../src/cli/gemini";
import type { Config } from "../../src/config";

describe("settings", () => {
  test("the user's own settings kept, API-key auth chosen over an enforced or external type, no statistics or updates", () => {
    const user = `{ // mine\n "security": { "auth": { "selectedType": "oauth-personal", "enforcedType": "oauth-personal", "useExternal": true }, "folderTrust": { "enabled": true } },\n "ui": { "theme": "Dracula" }, /* x */ "general": { "vimMode": true, }, }`;
    expect(gatewaySettings(user)).toEqual({
      security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: true } },
      ui: { theme: "Dracula" },
      general: { vimMode: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
      privacy: { usageStatisticsEnabled: false },
    });
  });

  test("no file, a broken file or a file that is not an object: the overrides alone", () => {
    const alone = gatewaySettings(undefined);
    for (const text of ["{ not json", "[1, 2]", '"text"', "null"]) expect(gatewaySettings(text)).toEqual(alone);
    expect(alone.security).toEqual({ auth: { selectedType: "gemini-api-key" } });
  });
});

describe("the home", () => {
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), "octollm-gemini-home-"));
    const userDir = join(root, "user", ".gemini");
    mkdirSync(join(userDir, "commands"), { recursive: true });
    writeFileSync(join(userDir, "GEMINI.md"), "Answer in French.\n");
    writeFileSync(join(userDir, "settings.json"), '{"ui": {"theme": "Dracula"}}');
    writeFileSync(join(userDir, "oauth_creds.json"), "{}");
    return { root, userDir, home: join(root, "launcher") };
  };
  const snapshot = (dir: string) =>
    readdirSync(dir).map((f) => [
      f,
      statSync(join(dir, f)).mtimeMs,
      existsSync(join(dir, f)) && statSync(join(dir, f)).isFile() ? readFileSync(join(dir, f), "utf8") : "dir",
    ]);

  test("settings written afresh (0600, folder 0700); memory and commands linked; credentials and the user's folder untouched", () => {
    const { userDir, home } = setup();
    const before = snapshot(userDir);
    prepareHome(home, userDir);
    const dir = join(home, ".gemini");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "settings.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")).ui).toEqual({ theme: "Dracula" });
    expect(readlinkSync(join(dir, "GEMINI.md"))).toBe(join(userDir, "GEMINI.md"));
    expect(readlinkSync(join(dir, "commands"))).toBe(join(userDir, "commands"));
    expect(existsSync(join(dir, "oauth_creds.json"))).toBe(false); // the user's Google login stays theirs
    expect(existsSync(join(dir, "skills"))).toBe(false); // nothing to link
    expect(snapshot(userDir)).toEqual(before);
  });

  test("a second run: settings follow the user's, a stale link is replaced, a file the CLI made is left alone", () => {
    const { root, userDir, home } = setup();
    prepareHome(home, userDir);
    const dir = join(home, ".gemini");
    writeFileSync(join(userDir, "settings.json"), '{"ui": {"theme": "GitHub"}}');
    writeFileSync(join(dir, "agents"), "made by the CLI");
    const moved = join(root, "moved", ".gemini");
    mkdirSync(moved, { recursive: true });
    writeFileSync(join(moved, "GEMINI.md"), "moved\n");
    writeFileSync(join(moved, "agents"), "x");
    prepareHome(home, moved);
    expect(readlinkSync(join(dir, "GEMINI.md"))).toBe(join(moved, "GEMINI.md"));
    expect(readdirSync(dir)).not.toContain("commands"); // the old link to a folder the new home lacks is gone
    expect(readFileSync(join(dir, "agents"), "utf8")).toBe("made by the CLI");
    prepareHome(home, userDir);
    expect(JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")).ui).toEqual({ theme: "GitHub" });
  });

  test("where the homes are", () => {
    expect(launcherHome({ HOME: "/h" })).toBe("/h/.local/state/octollm/gemini-cli");
    expect(launcherHome({ HOME: "/h", XDG_STATE_HOME: "/s" })).toBe("/s/octollm/gemini-cli");
    expect(userGeminiDir({ HOME: "/h" })).toBe("/h/.gemini");
    expect(userGeminiDir({ HOME: "/h", GEMINI_CLI_HOME: "/g" })).toBe("/g/.gemini");
  });

  test("a link planted where settings.json goes is not followed", () => {
    const { root, userDir, home } = setup();
    const dir = join(home, ".gemini");
    mkdirSync(dir, { recursive: true });
    const victim = join(root, "victim.txt");
    writeFileSync(victim, "keep me");
    symlinkSync(victim, join(dir, "settings.json"));
    prepareHome(home, userDir);
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(lstatSync(join(dir, "settings.json")).isSymbolicLink()).toBe(false);
  });
});

describe("environment", () => {
  const config = (auth?: string) =>
    ({ users: { acme: { api_keys: { a: "sk-gw-key" } } }, models: { m: { backends: { b: auth ? { auth } : {} } } } }) as unknown as Config;

  test("the gateway's first key, or the placeholder; the user's own key kept only where a model passes it on", () => {
    expect(geminiEnv("http://127.0.0.1:9/", "/home/x", config(), { GEMINI_API_KEY: "AIza-mine" })).toEqual({
      GEMINI_CLI_HOME: "/home/x",
      GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9",
      GEMINI_API_KEY: "sk-gw-key",
    });
    expect(geminiEnv("http://h", "/x", undefined, {}).GEMINI_API_KEY).toBe("octollm-local");
    expect(geminiEnv("http://h", "/x", config("client"), { GEMINI_API_KEY: "AIza-mine" }).GEMINI_API_KEY).toBeUndefined();
    expect(geminiEnv("http://h", "/x", config("client"), {}).GEMINI_API_KEY).toBe("sk-gw-key");
  });
});
