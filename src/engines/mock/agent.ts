// The mock's agent mode: when the client sent tools and the user asked for something a tool does ("list the
// files", "create hello.txt", "read notes.txt", "run `git status`", "use a subagent …"), the mock calls the
// client's own tool for it (Claude Code's Bash/Read/Write/Agent, Codex's exec_command/apply_patch or its
// code-mode functions__exec, Gemini CLI's run_shell_command/read_file/write_file); once the tool's result comes back, it answers with what the tool returned.
import { contentText } from "./text";

type Body = Record<string, unknown>;

/** A tool call the mock makes: the tool's name as the client declared it, and its arguments. */
export interface MockToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** What the mock agent does this turn: call a tool, or say a text. */
export type AgentTurn = { call: MockToolCall } | { text: string };

type Intent = { kind: "shell"; command: string } | { kind: "write"; path: string } | { kind: "read"; path: string } | { kind: "delegate"; task: string };

const FILE_TEXT = "Hello from the OctoLLM mock agent.\n";
/** The most characters of the user's words the intent patterns read. */
const MAX_ASK = 2000;
const RESULT_MAX = 2000;

/** The agent's turn for a chat request, or undefined when the plain mock reply fits. */
export function agentTurn(body: Body): AgentTurn | undefined {
  const tools = toolNames(body.tools);
  if (tools.size === 0 || !Array.isArray(body.messages)) return undefined;
  const last = (body.messages as Body[]).findLast((m) => m?.role !== "system");
  const result = last?.role === "tool" ? contentText(last.content) : undefined;
  if (result !== undefined) return { text: resultAnswer(result) };
  if (last?.role !== "user") return undefined;
  const intent = intentOf(askedText(last.content));
  const call = intent && callFor(intent, tools, workingDirectory(body));
  return call ? { call } : undefined;
}

function toolNames(tools: unknown): Set<string> {
  const names = new Set<string>();
  for (const t of Array.isArray(tools) ? (tools as Body[]) : []) {
    const name = (t?.function as Body | undefined)?.name;
    if (typeof name === "string") names.add(name);
  }
  return names;
}

/** The user's own words: the text parts of their message, without the context a client adds (`<system-reminder>`). */
function askedText(content: unknown): string {
  if (!Array.isArray(content)) return contentText(content);
  return (content as Body[])
    .filter((p) => typeof p?.text === "string" && !/^\s*<(system-reminder|environment_context)>/.test(p.text as string))
    .map((p) => p.text as string)
    .join("\n");
}

const FILE = "`?([\\w./-]*\\w\\.\\w+)`?";

/** What the words ask for, most specific first. */
export function intentOf(words: string): Intent | undefined {
  const w = words.trim().slice(0, MAX_ASK); // a command is short; the patterns below never see a whole document
  if (/\b(sub-?agent|delegate)\b/i.test(w)) {
    const task = w.replace(/^.*?\b(sub-?agent|delegate)\b\s*(to\s+)?/is, "").trim();
    return { kind: "delegate", task: task || "List the files in the working directory." };
  }
  // only a new file: "add error handling to server.ts" must not become a Write over the user's server.ts
  const create = new RegExp(`\\bcreate\\b(?:\\s+an?)?(?:\\s+(?:new\\s+)?file)?(?:\\s+(?:called|named))?\\s+${FILE}`, "i").exec(w);
  const newFile = new RegExp(`\\b(?:write|make|add)\\s+an?\\s+new\\s+file(?:\\s+(?:called|named))?\\s+${FILE}`, "i").exec(w);
  const write = create ?? newFile;
  if (write) return { kind: "write", path: write[1]! };
  const read = new RegExp(`\\b(read|cat|open|show me)\\s+${FILE}`, "i").exec(w);
  if (read) return { kind: "read", path: read[2]! };
  const run = /\brun\s+`([^`]+)`/i.exec(w);
  if (run) return { kind: "shell", command: run[1]! };
  if (/\b(list|show)\b[^.?!\n]*\bfiles\b|^ls\b/i.test(w)) return { kind: "shell", command: "ls -la" };
  return undefined;
}

/** The working directory the client named in its instructions (Claude Code's environment, Codex's `<cwd>`, Gemini CLI's first workspace directory). */
function workingDirectory(body: Body): string | undefined {
  const text = `${contentText(body.system)}\n${(body.messages as Body[]).map((m) => contentText(m?.content)).join("\n")}`;
  return (
    /Primary working directory: (\S+)/.exec(text)?.[1] ??
    /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1] ??
    /\*\*Workspace Directories:\*\*\s*\n\s*- (\S+)/.exec(text)?.[1]
  );
}

const absolute = (path: string, cwd: string | undefined) => (path.startsWith("/") || !cwd ? path : `${cwd.replace(/\/+$/, "")}/${path}`);
const quoted = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const patchAdding = (path: string) => `*** Begin Patch\n*** Add File: ${path}\n${FILE_TEXT.replace(/^/gm, "+").replace(/\+$/, "")}*** End Patch\n`;

/** Code-mode JavaScript (Codex's functions__exec) that runs one nested tool and shows its result (or `done`). */
const script = (call: string, done?: string) =>
  done ? `await ${call};\ntext(${JSON.stringify(done)});` : `const r = await ${call};\ntext(typeof r === "string" ? r : (r?.output ?? JSON.stringify(r)));`;

/** The client's tool that does what was asked, with arguments in that tool's own shape. */
function callFor(intent: Intent, tools: Set<string>, cwd: string | undefined): MockToolCall | undefined {
  if (intent.kind === "delegate") {
    const name = ["Agent", "Task"].find((t) => tools.has(t));
    return name ? { name, input: { description: "Mock subagent task", prompt: intent.task, subagent_type: "general-purpose" } } : undefined;
  }
  if (intent.kind === "write") {
    if (tools.has("Write")) return { name: "Write", input: { file_path: absolute(intent.path, cwd), content: FILE_TEXT } };
    if (tools.has("write_file")) return { name: "write_file", input: { file_path: absolute(intent.path, cwd), content: FILE_TEXT } };
    if (tools.has("apply_patch")) return { name: "apply_patch", input: { input: patchAdding(intent.path) } };
    if (tools.has("functions__exec"))
      return { name: "functions__exec", input: { input: script(`tools.apply_patch(${JSON.stringify(patchAdding(intent.path))})`, `Created ${intent.path}`) } };
    return undefined;
  }
  if (intent.kind === "read" && tools.has("Read")) return { name: "Read", input: { file_path: absolute(intent.path, cwd) } };
  if (intent.kind === "read" && tools.has("read_file")) return { name: "read_file", input: { file_path: absolute(intent.path, cwd) } };
  const command = intent.kind === "read" ? `cat ${quoted(intent.path)}` : intent.command;
  if (tools.has("Bash")) return { name: "Bash", input: { command, description: `Run ${command}` } };
  if (tools.has("exec_command")) return { name: "exec_command", input: { cmd: command } };
  if (tools.has("run_shell_command")) return { name: "run_shell_command", input: { command, description: `Run ${command}` } };
  if (tools.has("functions__exec")) return { name: "functions__exec", input: { input: script(`tools.exec_command({ cmd: ${JSON.stringify(command)} })`) } };
  if (tools.has("shell")) return { name: "shell", input: { command: ["bash", "-lc", command] } };
  return undefined;
}

function resultAnswer(result: string): string {
  const shown = result.length > RESULT_MAX ? `${result.slice(0, RESULT_MAX)}\n…` : result;
  return `The tool returned:\n\n\`\`\`\n${shown.trimEnd()}\n\`\`\`\n\n(This is the OctoLLM mock backend in agent mode: it calls the tool you asked for and shows what came back.)`;
}
