// #24.2: every example meant for Claude Code serves the names the pinned Claude Code asks for by default: its main
// model, /model opus, sonnet and haiku, and its subagents (haiku). The names are learnt from the real CLI, offline,
// so a new pinned version that asks for new names fails here rather than on a user's screen.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfigFile } from "../../src/config";
import { globMatch } from "../../src/engines/router/model-names";
import { runClaude } from "../helpers/claude-cli";
import { createLoggedGateway } from "../helpers/gateway";

const names = new Set<string>();
let stop = () => {};
beforeAll(async () => {
  const { gw, lines } = await createLoggedGateway(`models:\n  "*": { backends: { "default:1": { provider: mock } } }\n`);
  const server = gw.listen("127.0.0.1", 0);
  stop = () => server.stop(true);
  const env = { ANTHROPIC_BASE_URL: server.url.href.replace(/\/$/, ""), ANTHROPIC_AUTH_TOKEN: "x" };
  await Promise.all([[], ["--model", "sonnet"], ["--model", "opus"], ["--model", "haiku"]].map((m) => runClaude(["-p", "hi", ...m], env)));
  await Bun.sleep(50);
  gw.accessLog.flush();
  for (const l of lines) if (l.msg === "access" && l.path === "/v1/messages" && l.model) names.add(l.model);
}, 120_000);
afterAll(() => stop());

test("the pinned Claude Code asks for an opus, a sonnet and a haiku name", () => {
  const all = [...names].join(" ");
  for (const family of ["opus", "sonnet", "haiku"]) expect(all).toContain(family);
});

for (const example of ["config-claude-code.yaml", "config-protocol-conversion.yaml", "config-claude-code-routing.yaml", "config-mock.yaml"]) {
  test(`${example} serves every one of those names`, async () => {
    const loaded = await loadConfigFile(`examples/${example}`, {});
    if (!loaded.ok) throw new Error(`${example} does not validate`);
    const keys = Object.keys(loaded.config.models);
    for (const name of names) expect([name, keys.some((k) => k === name || globMatch(k, name))]).toEqual([name, true]);
  });
}
