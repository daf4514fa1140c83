// The mock backend's agent mode: the user's words pick an intent, the client's own tools pick the call, in
// each API's shapes (chat and Anthropic, whole and streamed); a tool result gets an answer quoting it.
import { afterAll, describe, expect, test } from "bun:test";
import { intentOf } from "../../src/engines/mock/agent";
import { MockEngine } from "../../src/engines";
import { llmRequest } from "../helpers/requests";
import { startGateway } from "../helpers/gateway";

const gw = startGateway(`
backends:
  mock: { provider: mock }
  plain: { provider: mock, mock: { agent: false } }
models:
  m: { backends: { "default:1": { use: mock } } }
  off: { backends: { "default:1": { use: plain } } }
`);
afterAll(() => gw.stop());

const claudeTools = ["Agent", "Bash", "Read", "Write"].map((name) => ({ name, input_schema: { type: "object" } }));
const chatTools = (...names: string[]) => names.map((name) => ({ type: "function", function: { name, parameters: { type: "object" } } }));
const CLAUDE_SYSTEM = "# Environment\n - Primary working directory: /home/u/proj\n - Is a git repository: false";
const REMINDER = { type: "text", text: "<system-reminder>\nAs you answer, list the files you read.\n</system-reminder>" };

async function post(path: string, body: object): Promise<any> {
  const r = await fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return body && (body as any).stream ? r.text() : r.json();
}
const messages = (body: object) => post("/v1/messages", { model: "m", max_tokens: 100, system: CLAUDE_SYSTEM, tools: claudeTools, ...body });
const chat = (body: object) => post("/v1/chat/completions", { model: "m", ...body });

describe("what the words ask for", () => {
  test.each([
    ["list the files", { kind: "shell", command: "ls -la" }],
    ["please show me all files here", { kind: "shell", command: "ls -la" }],
    ["run `git status` please", { kind: "shell", command: "git status" }],
    ["create hello.txt", { kind: "write", path: "hello.txt" }],
    ["write a new file called src/a.ts", { kind: "write", path: "src/a.ts" }],
    ["read notes.txt", { kind: "read", path: "notes.txt" }],
    ["use a subagent to list the files", { kind: "delegate", task: "list the files" }],
    ["add error handling to server.ts", undefined], // never a Write over an existing file
    ["write tests for app.py", undefined],
    ["hello there", undefined],
    ["what files matter most?", undefined],
  ])("%s", (words, intent) => {
    expect(intentOf(words)).toEqual(intent as any);
  });
});

test("a huge message is read only for its first 2 000 characters (the patterns never see a whole document)", () => {
  expect(intentOf(`${"list show read create ".repeat(100_000)}`)).toBeUndefined();
  expect(intentOf(`list the files ${"x".repeat(1_000_000)}`)).toEqual({ kind: "shell", command: "ls -la" });
});

describe("Anthropic clients (Claude Code's tools)", () => {
  test("the user's words, not the client's reminder, pick the tool: Write with an absolute path, whole answer", async () => {
    const r = await messages({ messages: [{ role: "user", content: [REMINDER, { type: "text", text: "create hello.txt" }] }] });
    expect(r.stop_reason).toBe("tool_use");
    expect(r.content).toEqual([
      {
        type: "tool_use",
        id: expect.stringMatching(/^call_mock_/), // the mock speaks chat; its ids reach Anthropic clients as a chat backend's do
        name: "Write",
        input: { file_path: "/home/u/proj/hello.txt", content: expect.any(String) },
      },
    ]);
  });
  test("streamed: tool_use block, its JSON in one input_json_delta, stop_reason tool_use", async () => {
    const text: string = await messages({ stream: true, messages: [{ role: "user", content: "list the files" }] });
    const events = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events.find((e) => e.type === "content_block_start").content_block).toMatchObject({ type: "tool_use", name: "Bash", input: {} });
    expect(JSON.parse(events.find((e) => e.type === "content_block_delta").delta.partial_json)).toEqual({ command: "ls -la", description: "Run ls -la" });
    expect(events.find((e) => e.type === "message_delta").delta.stop_reason).toBe("tool_use");
  });
  test("a subagent through Agent; a read through Read", async () => {
    const sub = await messages({ messages: [{ role: "user", content: "use a subagent to read notes.txt" }] });
    expect(sub.content[0]).toMatchObject({ name: "Agent", input: { prompt: "read notes.txt", subagent_type: "general-purpose" } });
    const read = await messages({ messages: [{ role: "user", content: "read notes.txt" }] });
    expect(read.content[0]).toMatchObject({ name: "Read", input: { file_path: "/home/u/proj/notes.txt" } });
  });
  test("after the tool result: an answer quoting it, no further call", async () => {
    const r = await messages({
      messages: [
        { role: "user", content: "list the files" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "a.txt\nb.txt" }] },
      ],
    });
    expect(r.stop_reason).toBe("end_turn");
    expect(r.content[0].text).toContain("```\na.txt\nb.txt\n```");
  });
});

describe("chat clients (Codex's tools, converted)", () => {
  test("exec_command and apply_patch (the freeform wrapper), whole and streamed", async () => {
    const ls = await chat({ tools: chatTools("exec_command", "apply_patch"), messages: [{ role: "user", content: "list the files" }] });
    expect(ls.choices[0].finish_reason).toBe("tool_calls");
    expect(ls.choices[0].message.tool_calls[0].function).toEqual({ name: "exec_command", arguments: '{"cmd":"ls -la"}' });
    const text: string = await chat({ stream: true, tools: chatTools("exec_command", "apply_patch"), messages: [{ role: "user", content: "create a.txt" }] });
    const chunks = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)));
    const call = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])[0];
    expect([call.index, call.function.name, JSON.parse(call.function.arguments).input]).toEqual([
      0,
      "apply_patch",
      "*** Begin Patch\n*** Add File: a.txt\n+Hello from the OctoLLM mock agent.\n*** End Patch\n",
    ]);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls")).toBe(true);
  });
  test("Gemini CLI's tools: write_file and read_file with absolute paths in its first workspace directory, run_shell_command", async () => {
    const tools = chatTools("run_shell_command", "read_file", "write_file");
    const context = "<session_context>\n- **Workspace Directories:**\n  - /home/u/proj\n</session_context>";
    const call = async (ask: string) =>
      (
        await chat({
          tools,
          messages: [
            { role: "user", content: context },
            { role: "user", content: ask },
          ],
        })
      ).choices[0].message.tool_calls[0].function;
    expect(await call("create hello.txt")).toEqual({
      name: "write_file",
      arguments: JSON.stringify({ file_path: "/home/u/proj/hello.txt", content: "Hello from the OctoLLM mock agent.\n" }),
    });
    expect(await call("read notes.txt")).toEqual({ name: "read_file", arguments: '{"file_path":"/home/u/proj/notes.txt"}' });
    expect(await call("list the files")).toEqual({ name: "run_shell_command", arguments: '{"command":"ls -la","description":"Run ls -la"}' });
  });

  test("code mode: one functions__exec script calling tools.exec_command", async () => {
    const r = await chat({ tools: chatTools("functions__exec", "functions__wait"), messages: [{ role: "user", content: "read notes.txt" }] });
    const js = JSON.parse(r.choices[0].message.tool_calls[0].function.arguments).input;
    expect(js).toContain(`await tools.exec_command({ cmd: "cat 'notes.txt'" })`);
  });
  test("no tool for the intent, no tools at all, or agent: false: the plain reply", async () => {
    const noTool = await chat({ tools: chatTools("web_fetch"), messages: [{ role: "user", content: "list the files" }] });
    const noTools = await chat({ messages: [{ role: "user", content: "list the files" }] });
    const off = await chat({ model: "off", tools: chatTools("exec_command"), messages: [{ role: "user", content: "list the files" }] });
    for (const r of [noTool, noTools, off])
      expect(r.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: expect.stringContaining("You said: list the files") } });
  });
});

describe("the mock answers JSON when JSON is asked for", () => {
  const ask = async (response_format: object) => {
    const res = await new MockEngine({ agent: false }).process(
      llmRequest({ format: "openai.chat", body: { model: "m", messages: [{ role: "user", content: "route me" }], response_format } }),
    );
    return JSON.parse(res.body!.json<any>().choices[0].message.content);
  };

  test("a JSON schema gets a value that fits it (Gemini CLI's router schema, upper-case types converted)", async () => {
    const schema = {
      type: "object",
      properties: {
        reasoning: { type: "string" },
        model_choice: { type: "string", enum: ["flash", "pro"] },
        n: { type: "integer", minimum: 2 },
        tags: { type: "array", items: { type: "string" }, minItems: 1 },
      },
      required: ["reasoning", "model_choice"],
    };
    const v = await ask({ type: "json_schema", json_schema: { name: "r", schema } });
    expect(v.model_choice).toBe("flash");
    expect(typeof v.reasoning).toBe("string");
    expect([v.n, v.tags.length]).toEqual([2, 1]);
  });

  test("a number with no minimum is 1 (Gemini CLI's numerical router refuses a complexity_score of 0), or a maximum below 1", async () => {
    const schema = { type: "object", properties: { complexity_score: { type: "integer" }, neg: { type: "number", maximum: -3 } } };
    expect(await ask({ type: "json_schema", json_schema: { name: "r", schema } })).toEqual({ complexity_score: 1, neg: -3 });
  });

  test("plain JSON mode gets an object", async () => {
    expect(typeof (await ask({ type: "json_object" })).text).toBe("string");
  });
});
