// Runs the real Codex CLI (npm @openai/codex, pinned) offline against a gateway, hermetically: a fresh HOME
// and CODEX_HOME with a config whose only provider is the gateway, no inherited environment.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The CLI installed by npm ci. */
export const CODEX_BIN = join(resolve(import.meta.dir, "../.."), "node_modules/.bin/codex");

/** A Codex config.toml whose provider is the gateway at `baseUrl` (…/v1), with retries off (failures count exactly). */
export function codexConfig(baseUrl: string, model: string): string {
  return `model = "${model}"
model_provider = "octollm"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[analytics]
enabled = false

[feedback]
enabled = false

[model_providers.octollm]
name = "OctoLLM"
base_url = "${baseUrl}"
env_key = "OCTOLLM_TEST_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 30000
`;
}

/** Runs `codex exec --json` in a new work directory; its exit code, JSONL events, stderr and the work dir. */
export async function runCodex(baseUrl: string, model: string, prompt: string, files: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), "octollm-codex-"));
  const home = join(root, "home");
  const codexHome = join(home, ".codex");
  const work = join(root, "work");
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(work);
  writeFileSync(join(codexHome, "config.toml"), codexConfig(baseUrl, model));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  const proc = Bun.spawn([CODEX_BIN, "exec", "--skip-git-repo-check", "--ephemeral", "--json", "-C", work, prompt], {
    cwd: work,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: `${dirname(process.execPath)}:${dirname(Bun.which("node") ?? "/usr/bin/node")}:/usr/bin:/bin`,
      HOME: home,
      CODEX_HOME: codexHome,
      OCTOLLM_TEST_KEY: "codex-test-key",
    },
  });
  const timer = setTimeout(() => proc.kill(), 60_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const events = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  return { code, events, err, work };
}

/** The pinned Codex's bundled model catalog (`codex debug models --bundled`, offline). */
export function bundledModels(): { slug: string; priority: number; visibility: string; tool_mode?: string | null }[] {
  const home = mkdtempSync(join(tmpdir(), "octollm-codex-catalog-"));
  const r = Bun.spawnSync([CODEX_BIN, "debug", "models", "--bundled"], { env: { PATH: process.env.PATH!, HOME: home, CODEX_HOME: home }, stderr: "ignore" });
  return JSON.parse(r.stdout.toString()).models;
}
