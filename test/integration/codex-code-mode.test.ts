// Codex's default models are code-mode models (#24): the upstream gets one freeform JavaScript tool,
// `functions__exec`, in which the model calls `tools.exec_command` / `tools.apply_patch`, plus namespaced functions
// (`functions__wait`, `clock__sleep`, `collaboration__*`), all sent in an `additional_tools` input item. The real
// Codex CLI (0.171.0) on its default model, through a chat and an Anthropic backend: one scripted script runs a
// command and applies a patch; Codex runs it; the result goes back to the model under the same call.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { bundledModels, runCodex } from "../helpers/codex-cli";
import { startMockUpstream } from "../helpers/mock-upstream";
import { anthropicText, anthropicToolUse, chatCall as call, chatAndClaudeConfig, chatSay as say } from "../helpers/scripted-turns";

const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";
const JS = `const r = await tools.exec_command({ cmd: "cat notes.txt" });\ntext(r);\nawait tools.apply_patch(${JSON.stringify(PATCH)});\ntext("patched");`;

const upstream = startMockUpstream((req, body) => {
  const msgs: any[] = body?.messages ?? [];
  if (req.path.startsWith("/v1/messages")) {
    const last = msgs.at(-1);
    const result = Array.isArray(last?.content) ? last.content.find((b: any) => b.type === "tool_result") : undefined;
    if (!result) return { chunks: anthropicToolUse("toolu_x", "functions__exec", { input: JS }) };
    return { chunks: anthropicText(`Tool said: ${/secret-[a-z]+/.exec(JSON.stringify(result.content))?.[0]}`) };
  }
  const tools = msgs.filter((m) => m.role === "tool");
  if (tools.length === 0) return { chunks: call("call_exec", "functions__exec", { input: JS }) };
  return { chunks: say(`Tool said: ${/secret-[a-z]+/.exec(String(tools[0].content))?.[0]}`) };
});

let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(chatAndClaudeConfig(upstream.url, "gpt-6.2-sol", "gpt-6.1-sol"));
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

/** The default model of the pinned Codex: the first listed in its bundled catalog. */
const DEFAULT_MODEL = bundledModels()
  .filter((m) => m.visibility === "list")
  .sort((a, b) => a.priority - b.priority)[0]!;

test("the pinned Codex's default model is a code-mode model (what the tests below run)", () => {
  expect([DEFAULT_MODEL.slug, DEFAULT_MODEL.tool_mode]).toEqual(["gpt-6.2-sol", "code_mode_only"]);
});
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

function checkRun(r: Awaited<ReturnType<typeof runCodex>>, answer: string) {
  expect({ code: r.code, tail: r.code === 0 ? "" : r.err.slice(-2000) }).toEqual({ code: 0, tail: "" });
  expect(readFileSync(join(r.work, "hello.txt"), "utf8")).toBe("hello\n");
  const items = r.events.filter((e) => e.type === "item.completed").map((e) => e.item);
  expect(items.some((i) => i.type === "command_execution" && i.command.includes("cat notes.txt") && i.exit_code === 0)).toBe(true);
  expect(items.some((i) => i.type === "file_change" && i.changes?.some((c: any) => c.path.endsWith("hello.txt") && c.kind === "add"))).toBe(true);
  expect(items.at(-1)?.type).toBe("agent_message");
  expect(items.at(-1)?.text).toContain(answer);
}

test("Codex's default model on a chat backend: functions__exec runs a command and a patch; the namespaced tools keep their names", async () => {
  const before = upstream.seen.length;
  const r = await runCodex(`${gw.url}/v1`, DEFAULT_MODEL.slug, "Create hello.txt, then tell me what notes.txt says", { "notes.txt": "secret-octopus\n" });
  checkRun(r, "secret-octopus");
  const sent = upstream.seen.slice(before).map((s) => ({ path: s.path, body: decode(s.body) }));
  expect(sent.map((s) => s.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
  const names = sent[0]!.body.tools.map((t: any) => t.function.name);
  expect(names).toEqual(expect.arrayContaining(["functions__exec", "functions__wait", "clock__sleep", "collaboration__spawn_agent"]));
  expect(names).not.toContain("exec_command"); // code mode: no top-level shell or patch tool
  const exec = sent[0]!.body.tools.find((t: any) => t.function.name === "functions__exec").function;
  expect(exec.parameters.required).toEqual(["input"]); // the freeform tool, as a one-string wrapper
  expect(exec.description).toContain("lark grammar");
  const [call, result] = sent[1]!.body.messages.slice(-2);
  expect(call.tool_calls[0]).toMatchObject({ id: "call_exec", function: { name: "functions__exec" } });
  expect(JSON.parse(call.tool_calls[0].function.arguments)).toEqual({ input: JS }); // the script goes back as it was
  expect(result).toMatchObject({ role: "tool", tool_call_id: "call_exec" });
  expect(result.content).toContain("Script completed");
}, 90_000);

test("Codex's default model on an Anthropic backend: the same script through tool_use and tool_result", async () => {
  const before = upstream.seen.length;
  const r = await runCodex(`${gw.url}/v1`, "gpt-6.1-sol", "Create hello.txt, then tell me what notes.txt says", { "notes.txt": "secret-squid\n" });
  checkRun(r, "secret-squid");
  const sent = upstream.seen.slice(before).map((s) => ({ path: s.path, body: decode(s.body) }));
  expect(sent.map((s) => s.path)).toEqual(["/v1/messages", "/v1/messages"]);
  expect(sent[0]!.body.tools.map((t: any) => t.name)).toEqual(expect.arrayContaining(["functions__exec", "functions__wait", "clock__sleep"]));
  const [call, result] = sent[1]!.body.messages.slice(-2);
  expect(call.content[0]).toEqual({ type: "tool_use", id: "toolu_x", name: "functions__exec", input: { input: JS } });
  expect(result.content[0]).toMatchObject({ type: "tool_result", tool_use_id: "toolu_x" });
}, 90_000);
