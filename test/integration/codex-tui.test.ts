// `octollm codex` in Codex's terminal UI (#24), on a pseudo-terminal (util-linux `script`): a model with a newer
// one in Codex's catalog (gpt-5.5) opens straight at the prompt, with no "Meet GPT-6 Sol › Try new model" screen
// (whose default would rewrite ~/.codex/config.toml), and the warnings list has no "Running without the shared
// background server" (the launcher's provider overrides run Codex embedded, and it says so with --no-daemon).
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const F2 = "\x1bOQ";
const RIGHT = "\x1b[C";

test("the TUI opens at the prompt on gpt-5.5 (no migration screen) and warns of no background server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "octollm-codex-tui-"));
  const home = join(dir, "home");
  const work = join(dir, "work");
  mkdirSync(join(home, ".codex"), { recursive: true });
  mkdirSync(work);
  const userConfig = `[projects."${work}"]\ntrust_level = "trusted"\n`; // the folder-trust screen is not under test
  writeFileSync(join(home, ".codex", "config.toml"), userConfig);
  const launcher = `stty cols 120 rows 40; exec ${process.execPath} ${join(root, "src/cli/main.ts")} codex -c ${join(root, "examples/config-mock.yaml")} --log-file ${join(dir, "gw.log")} -- -m gpt-5.5`;
  const proc = Bun.spawn(["script", "-qfec", launcher, "/dev/null"], {
    cwd: work,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH!, HOME: home, CODEX_HOME: join(home, ".codex"), TERM: "xterm-256color" },
  });
  let screen = "";
  const reading = (async () => {
    for await (const chunk of proc.stdout) screen += new TextDecoder().decode(chunk);
  })();
  const waitFor = async (text: string, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end && !screen.includes(text); ) await Bun.sleep(100);
    return screen.includes(text);
  };
  try {
    expect(await waitFor("Ask Codex to do anything", 30_000)).toBe(true);
    await Bun.sleep(1500); // startup warnings arrive after the prompt is drawn
    for (const key of [F2, RIGHT]) {
      proc.stdin.write(key);
      proc.stdin.flush();
      await Bun.sleep(1000);
    }
  } finally {
    proc.kill();
    await reading;
  }
  expect(screen).not.toContain("Meet GPT");
  expect(screen).not.toContain("shared background server");
  expect(readFileSync(join(home, ".codex", "config.toml"), "utf8")).not.toContain("model =");
}, 60_000);
