// The real Codex CLI (0.171.0, offline) through the gateway (#16): on a scripted chat backend it applies a
// patch (a freeform tool) and runs a shell command to read a file, then answers with what it read; the same
// task through an Anthropic backend.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { runCodex } from "../helpers/codex-cli";
import { startMockUpstream } from "../helpers/mock-upstream";
import { anthropicText, anthropicToolUse, chatCall as call, chatAndClaudeConfig, chatSay as say } from "../helpers/scripted-turns";

const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";

// The scripted model. Chat: first a patch, then a shell command reading notes.txt, then the answer.
// Anthropic: a shell command, then the answer.
const upstream = startMockUpstream((req, body) => {
  const msgs: any[] = body?.messages ?? [];
  if (req.path.startsWith("/v1/messages")) {
    const last = msgs.at(-1);
    const result = Array.isArray(last?.content) ? last.content.find((b: any) => b.type === "tool_result") : undefined;
    if (!result) return { chunks: anthropicToolUse("toolu_read", "exec_command", { cmd: "cat notes.txt" }) };
    const text = typeof result.content === "string" ? result.content : JSON.stringify(result.content);
    return { chunks: anthropicText(`The notes say: ${/secret-[a-z]+/.exec(text)?.[0] ?? "nothing"}`) };
  }
  const tools = msgs.filter((m) => m.role === "tool");
  if (tools.length === 0) return { chunks: call("call_patch", "apply_patch", { input: PATCH }) };
  if (tools.length === 1) return { chunks: call("call_cat", "exec_command", { cmd: "cat notes.txt" }) };
  return { chunks: say(`The notes say: ${/secret-[a-z]+/.exec(tools[1].content)?.[0] ?? "nothing"}`) };
});

let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(chatAndClaudeConfig(upstream.url, "gpt-5.5", "gpt-5.4"));
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

test("Codex on a chat backend: applies a patch (custom tool), runs a command, answers with what it read", async () => {
  const before = upstream.seen.length;
  const r = await runCodex(`${gw.url}/v1`, "gpt-5.5", "Create hello.txt, then tell me what notes.txt says", { "notes.txt": "secret-octopus\n" });
  expect({ code: r.code, tail: r.code === 0 ? "" : r.err.slice(-2000) }).toEqual({ code: 0, tail: "" });
  expect(readFileSync(join(r.work, "hello.txt"), "utf8")).toBe("hello\n");
  const items = r.events.filter((e) => e.type === "item.completed").map((e) => e.item);
  expect(items.some((i) => i.type === "file_change" && i.changes?.some((c: any) => c.path.endsWith("hello.txt") && c.kind === "add"))).toBe(true);
  expect(items.some((i) => i.type === "command_execution" && String(i.aggregated_output).includes("secret-octopus"))).toBe(true);
  expect(items.at(-1)).toMatchObject({ type: "agent_message", text: "The notes say: secret-octopus" });
  const sent = upstream.seen.slice(before).map((s) => ({ path: s.path, body: JSON.parse(new TextDecoder().decode(s.body)) }));
  expect(sent.map((s) => s.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions"]);
  expect(sent[0]!.body.model).toBe("deepseek-v4");
  const second = sent[1]!.body.messages;
  const patchCall = second.find((m: any) => m.role === "assistant").tool_calls[0];
  expect([patchCall.id, patchCall.function.name, JSON.parse(patchCall.function.arguments)]).toEqual(["call_patch", "apply_patch", { input: PATCH }]);
  expect(second.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_patch" });
  expect(String(second.at(-1).content)).toContain("Success");
  const done = r.events.find((e) => e.type === "turn.completed");
  expect(done.usage.input_tokens).toBe(1000 + 1000 + 1200); // summed over the turn's three requests
}, 90_000);

test("Codex on an Anthropic backend: runs a command, answers with what it read", async () => {
  const before = upstream.seen.length;
  const r = await runCodex(`${gw.url}/v1`, "gpt-5.4", "What does notes.txt say?", { "notes.txt": "secret-squid\n" });
  expect({ code: r.code, tail: r.code === 0 ? "" : r.err.slice(-2000) }).toEqual({ code: 0, tail: "" });
  const items = r.events.filter((e) => e.type === "item.completed").map((e) => e.item);
  expect(items.at(-1)).toMatchObject({ type: "agent_message", text: "The notes say: secret-squid" });
  const sent = upstream.seen.slice(before);
  expect(sent.map((s) => s.path)).toEqual(["/v1/messages", "/v1/messages"]);
  const second = JSON.parse(new TextDecoder().decode(sent[1]!.body));
  expect(second.model).toBe("claude-sonnet-4-5");
  expect(second.messages.at(-1).content[0]).toMatchObject({ type: "tool_result", tool_use_id: "toolu_read" });
}, 90_000);

test("octollm codex -c examples/config-mock.yaml -- exec …: Codex answers offline from the mock; nothing written to its config", async () => {
  const { mkdtempSync, mkdirSync, existsSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const root = mkdtempSync(join(tmpdir(), "octollm-codex-launch-"));
  const home = join(root, "home");
  mkdirSync(join(home, ".codex"), { recursive: true });
  const repo = join(import.meta.dir, "../..");
  const proc = Bun.spawn(
    [
      process.execPath,
      join(repo, "src/cli/main.ts"),
      "codex",
      "-c",
      join(repo, "examples/config-mock.yaml"),
      "--log-file",
      join(root, "gw.log"),
      "--",
      "exec",
      "--skip-git-repo-check",
      "--ephemeral",
      "--json",
      "-C",
      root,
      "say hi",
    ],
    { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH!, HOME: home, CODEX_HOME: join(home, ".codex") } },
  );
  const timer = setTimeout(() => proc.kill(), 60_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  expect({ code, err: code === 0 ? "" : err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(out).toContain('"text":"Hello from OctoLLM! This answer comes from the built-in mock backend."');
  expect(existsSync(join(home, ".codex", "config.toml"))).toBe(false);
  expect(await Bun.file(join(root, "gw.log")).text()).toContain('"path":"/v1/responses"');
}, 90_000);

test("a spent budget: Codex stops at once and says when to try again (usage_limit_reached with resets_at), instead of sleeping out the retry-after", async () => {
  const spent = startGateway(`
backends:
  mock: { provider: mock, price: { input: 3, output: 15 } }
models:
  gpt-5.5: { backends: { "default:1": { use: mock } } }
orgs:
  acme:
    api_keys: { codex: codex-test-key }
    budgets: { usd_per_day: 0.000001 }
    models: { gpt-5.5: }
`);
  try {
    const r = await runCodex(`${spent.url}/v1`, "gpt-5.5", "hello");
    expect(r.code).not.toBe(0);
    const said = JSON.stringify(r.events) + r.err;
    expect(said).toContain("hit your usage limit. Try again at"); // the day's end, from resets_at
  } finally {
    spent.stop();
  }
}, 60_000);
