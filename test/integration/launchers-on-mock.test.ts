// `npm start`'s mock, with the real agents (#24): `octollm claude`, `octollm codex` and `octollm gemini` on
// examples/config-mock.yaml, offline, do tool work. Claude Code reads a file through a subagent and writes one with Write; Codex lists files
// on its default (code-mode) model and adds a file with apply_patch on gpt-5.5; a Codex session resumes through
// the launcher (`octollm codex -c … -- exec resume <id>`), the form docs/codex.md gives for Codex's resume hint.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const MOCK = join(root, "examples/config-mock.yaml");

/** A fresh home with a work folder holding notes.txt; the launcher `octollm <client> -c MOCK -- args` run there. */
async function launch(client: "claude" | "codex" | "gemini", args: string[], dir = mkdtempSync(join(tmpdir(), `octollm-mock-${client}-`))) {
  const home = join(dir, "home");
  const work = join(dir, "work");
  mkdirSync(join(home, ".codex"), { recursive: true });
  mkdirSync(join(home, ".gemini"), { recursive: true });
  writeFileSync(join(home, ".gemini", "settings.json"), '{"security": {"auth": {"selectedType": "oauth-personal"}}}'); // the user's own Google login
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "notes.txt"), "secret-kraken\n");
  const proc = Bun.spawn([process.execPath, join(root, "src/cli/main.ts"), client, "-c", MOCK, "--log-file", join(dir, "gw.log"), "--", ...args], {
    cwd: work,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH!, HOME: home, CODEX_HOME: join(home, ".codex") },
  });
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { out, err, code, work, dir };
}

test("Claude Code on the mock: a subagent reads notes.txt with Read; Write creates hello.txt", async () => {
  const sub = await launch("claude", ["-p", "use a subagent to read notes.txt", "--allowedTools", "Agent", "Read"]);
  expect({ code: sub.code, err: sub.code === 0 ? "" : sub.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(sub.out).toContain("secret-kraken"); // read by the subagent's Read, through the main agent's Agent call
  expect(sub.out).toContain("tool_uses: 1");
  const write = await launch("claude", ["-p", "create hello.txt", "--allowedTools", "Write"]);
  expect({ code: write.code, out: write.out }).toMatchObject({ code: 0, out: expect.stringContaining("File created successfully") });
  expect(readFileSync(join(write.work, "hello.txt"), "utf8")).toBe("Hello from the OctoLLM mock agent.\n");
}, 120_000);

test("Codex on the mock: its default code-mode model lists the files; gpt-5.5 adds hello.txt with apply_patch", async () => {
  const exec = ["exec", "--skip-git-repo-check", "--ephemeral", "-s", "danger-full-access"];
  const ls = await launch("codex", [...exec, "list the files"]);
  expect({ code: ls.code, err: ls.code === 0 ? "" : ls.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(ls.out).toContain("Script completed"); // the functions__exec script ran
  expect(ls.out).toContain("notes.txt");
  const patch = await launch("codex", [...exec, "-m", "gpt-5.5", "create hello.txt"]);
  expect({ code: patch.code, err: patch.code === 0 ? "" : patch.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(readFileSync(join(patch.work, "hello.txt"), "utf8")).toBe("Hello from the OctoLLM mock agent.\n");
}, 120_000);

test("a Codex session resumes through the launcher, with its history", async () => {
  const first = await launch("codex", ["exec", "--skip-git-repo-check", "--json", "say hi"]);
  const id = /"thread_id":"([^"]+)"/.exec(first.out)?.[1];
  expect({ code: first.code, id: typeof id }).toEqual({ code: 0, id: "string" });
  const again = await launch("codex", ["exec", "--skip-git-repo-check", "--json", "resume", id!, "say it again"], first.dir);
  expect({ code: again.code, err: again.code === 0 ? "" : again.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(again.out).toContain(`"thread_id":"${id}"`);
  const input = (out: string) => JSON.parse(out.split("\n").find((l) => l.includes('"turn.completed"'))!).usage.input_tokens;
  expect(input(again.out)).toBeGreaterThan(input(first.out)); // the first turn went up again
}, 120_000);

test("Gemini CLI on the mock through its launcher: write_file creates hello.txt, read_file reads notes.txt; the user's ~/.gemini untouched", async () => {
  const args = ["--skip-trust", "--yolo", "-o", "json", "-p"];
  const write = await launch("gemini", [...args, "create hello.txt"]);
  expect({ code: write.code, err: write.code === 0 ? "" : write.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(readFileSync(join(write.work, "hello.txt"), "utf8")).toBe("Hello from the OctoLLM mock agent.\n");
  expect(JSON.parse(write.out).stats.tools.byName.write_file.success).toBe(1);
  expect(write.err).not.toContain("Routing"); // the router's classifier got JSON it accepts
  const read = await launch("gemini", [...args, "read notes.txt"], write.dir);
  expect({ code: read.code, response: JSON.parse(read.out).response }).toMatchObject({ code: 0, response: expect.stringContaining("secret-kraken") });
  const userDir = join(write.dir, "home", ".gemini");
  expect(readdirSync(userDir)).toEqual(["settings.json"]);
  expect(readFileSync(join(userDir, "settings.json"), "utf8")).toBe('{"security": {"auth": {"selectedType": "oauth-personal"}}}');
  const log = readFileSync(join(write.dir, "gw.log"), "utf8");
  expect(log).toMatch(/"path":"\/v1beta\/models\/gemini-[\w.-]+:streamGenerateContent","protocol":"google","status":200/); // the model the CLI's router chose
}, 120_000);
