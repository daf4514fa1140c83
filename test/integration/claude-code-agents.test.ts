// #30.4: the real Claude Code's main agent, subagent and side calls reach different backends by Features.agent, on
// examples/config-claude-code-agents.yaml (three mock backends at three prices): the main agent's requests on the
// default pool, the subagent's (x-claude-code-agent-id) on `cheap`, the session title (no tools) on `small`; the
// access log's cost follows each backend's price.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runClaude } from "../helpers/claude-cli";
import { createLoggedGateway } from "../helpers/gateway";

const EXAMPLE = join(resolve(import.meta.dir, "../.."), "examples/config-claude-code-agents.yaml");

test("main agent, subagent and side calls each go to their backend", async () => {
  const { gw, lines } = await createLoggedGateway(readFileSync(EXAMPLE, "utf8"));
  const url = gw.listen("127.0.0.1", 0).url.href.replace(/\/$/, "");
  try {
    // non-essential traffic on: Claude Code then asks for its session title, a side call
    const run = await runClaude(["-p", "use a subagent to list the files", "--allowedTools", "Agent", "Bash", "--model", "claude-sonnet-4-5"], {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: "sk-any",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "",
    });
    expect(run.code, run.err.slice(-1000)).toBe(0);
  } finally {
    await gw.shutdown(100);
  }
  const access = lines.filter((l) => l.msg === "access" && l.path?.startsWith("/v1/messages") && !l.path.includes("count_tokens"));
  const by = (backend: string) => access.filter((l) => l.backend === backend);
  expect(by("cheap").length).toBeGreaterThanOrEqual(2); // the subagent's turns
  for (const l of by("cheap")) expect(l.agent).toBeString();
  expect(by("default:1").length).toBeGreaterThanOrEqual(2); // the main agent's turns (Agent call, then the answer)
  for (const l of by("default:1")) expect(l.agent).toBeUndefined();
  expect(by("small").length).toBe(1); // the session title
  expect(by("small")[0]!.agent).toBeUndefined();
  expect(new Set(access.map((l) => l.session)).size).toBe(1);
  const cost = (backend: string) => by(backend).reduce((n, l) => n + (l.cost_usd ?? 0), 0);
  const tokens = (backend: string) => by(backend).reduce((n, l) => n + (l.tokens_in ?? 0) + (l.tokens_out ?? 0), 0);
  console.log(["default:1", "cheap", "small"].map((b) => `${b}: ${by(b).length} requests, ${tokens(b)} tokens, $${cost(b).toFixed(6)}`).join("; "));
}, 120_000);
