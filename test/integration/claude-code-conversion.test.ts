// Claude Code on an OpenAI-compatible backend: the CLI reads a file with its Read tool, then answers
// with what it read, through the compiled gateway converting Anthropic ⇄ OpenAI.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBinary, startBinary, type GatewayProcess } from "../helpers/binary";
import { startMockUpstream } from "../helpers/mock-upstream";

const root = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "octollm-cc2-"));
const notes = join(dir, "notes.txt");
let upstream: ReturnType<typeof startMockUpstream>;
let gw: GatewayProcess;

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usage = `data: ${JSON.stringify({ id: "c1", choices: [], usage: { prompt_tokens: 1200, completion_tokens: 20 } })}\n\ndata: [DONE]\n\n`;

beforeAll(async () => {
  writeFileSync(notes, "the secret word is PAPAYA-42\n");
  // a scripted OpenAI backend: ask to Read the file; once the tool result is there, answer with it
  upstream = startMockUpstream((_req, body) => {
    const result = body?.messages?.findLast((m: any) => m.role === "tool");
    if (result) {
      const secret = /PAPAYA-\d+/.exec(String(result.content))?.[0] ?? "nothing";
      return {
        chunks: [chunk({ role: "assistant", content: "" }), chunk({ content: `The file says the secret word is ${secret}.` }), chunk({}, "stop"), usage],
      };
    }
    if (body?.tools?.some((t: any) => t.function?.name === "Read")) {
      return {
        chunks: [
          chunk({ content: "I'll read it." }),
          chunk({ tool_calls: [{ index: 0, id: "call_read_1", type: "function", function: { name: "Read", arguments: "" } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ file_path: notes }) } }] }),
          chunk({}, "tool_calls"),
          usage,
        ],
      };
    }
    return { chunks: [chunk({ content: "ok" }), chunk({}, "stop"), usage] };
  });
  await buildBinary();
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `models:\n  claude-opus-4-8:\n    backends:\n      "default:1": { base_url: "${upstream.url}", api_key: sk-openai-up, convert_to_messages: from_chat }\n`,
  );
  gw = await startBinary(config);
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  upstream?.stop();
});

test("claude -p reads a file with its Read tool and answers with its content", async () => {
  const home = mkdtempSync(join(tmpdir(), "octollm-cc2-home-"));
  const proc = Bun.spawn([join(root, "node_modules/.bin/claude"), "-p", `Read ${notes} and tell me the secret word`, "--allowedTools", "Read"], {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: process.env.PATH!,
      HOME: home,
      ANTHROPIC_BASE_URL: gw.url,
      ANTHROPIC_AUTH_TOKEN: "tok-cc-123",
      ANTHROPIC_MODEL: "claude-opus-4-8",
      ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-opus-4-8",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
  });
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: "The file says the secret word is PAPAYA-42.", err: "" });
  const calls = upstream.seen.filter((s) => s.path === "/v1/chat/completions").map((s) => JSON.parse(new TextDecoder().decode(s.body)));
  expect(calls.length).toBeGreaterThanOrEqual(2);
  const last = calls.at(-1)!;
  expect(JSON.stringify(last.messages)).not.toContain("x-anthropic-billing-header"); // stripped on converted routes
  const assistant = last.messages.find((m: any) => m.role === "assistant" && m.tool_calls);
  expect(assistant.tool_calls[0]).toMatchObject({ id: "call_read_1", function: { name: "Read" } });
  expect(last.messages.find((m: any) => m.role === "tool")).toMatchObject({ tool_call_id: "call_read_1" });
  expect(upstream.seen.at(-1)!.headers.authorization).toBe("Bearer sk-openai-up");
}, 120_000);
