// Runs the real Claude Code CLI (npm @anthropic-ai/claude-code) offline, with a fresh home, for integration tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The CLI installed by npm ci. */
export const CLAUDE_BIN = join(resolve(import.meta.dir, "../.."), "node_modules/.bin/claude");

/**
 * Runs `cmd args` (default: claude) with no model variables, in `home` (its HOME and working directory; default: a
 * fresh one, so sessions of two runs meet only when they share it); its output, exit code and time.
 */
export async function runClaude(args: string[], env: Record<string, string> = {}, cmd = [CLAUDE_BIN], home = mkdtempSync(join(tmpdir(), "octollm-cc-home-"))) {
  const started = performance.now();
  const proc = Bun.spawn([...cmd, ...args], {
    cwd: home,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH!, HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", ...env },
  });
  const timer = setTimeout(() => proc.kill(), 100_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { out, err, code, ms: performance.now() - started, home };
}
