// Runs the real Gemini CLI (npm @google/gemini-cli, pinned) offline against a gateway, hermetically: a fresh
// GEMINI_CLI_HOME whose settings pick API-key auth and turn off telemetry and updates, no inherited environment.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The CLI's bundle, installed by npm ci. */
export const GEMINI_CLI = join(resolve(import.meta.dir, "../.."), "node_modules/@google/gemini-cli/bundle/gemini.js");

const SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 1 },
  telemetry: { enabled: false },
};

/**
 * Runs `gemini -p <prompt> -o json` in a new work directory on `baseUrl` (no -m without a model: the CLI's own router
 * picks); exit code, its JSON output, stderr and the work dir. `general` settings override (maxAttempts is 1 unless given).
 */
export async function runGeminiCli(
  baseUrl: string,
  model: string | undefined,
  prompt: string,
  args: string[] = [],
  key = "gemini-test-key",
  general: Record<string, unknown> = {},
) {
  const root = mkdtempSync(join(tmpdir(), "octollm-gemini-"));
  const home = join(root, "home");
  const work = join(root, "work");
  mkdirSync(join(home, ".gemini"), { recursive: true });
  mkdirSync(work);
  writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify({ ...SETTINGS, general: { ...SETTINGS.general, ...general } }));
  const node = Bun.which("node") ?? "/usr/bin/node";
  const proc = Bun.spawn([node, GEMINI_CLI, "--skip-trust", ...(model ? ["-m", model] : []), "-o", "json", ...args, "-p", prompt], {
    cwd: work,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: `${dirname(node)}:/usr/bin:/bin`,
      HOME: home,
      GEMINI_CLI_HOME: home,
      GOOGLE_GEMINI_BASE_URL: baseUrl,
      GEMINI_API_KEY: key,
      NO_COLOR: "1",
    },
  });
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  let json: any;
  try {
    json = JSON.parse(out.slice(out.indexOf("{")));
  } catch {
    json = undefined;
  }
  return { code, json, out, err, work };
}
