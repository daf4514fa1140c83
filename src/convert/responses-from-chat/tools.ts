// Responses tools → chat functions, and back (docs/conversion.md, "Responses client → chat backend"):
// namespaced tools get `ns__name`, freeform (custom) tools a one-string wrapper, local_shell and client
// tool search a function of their own. Hosted tools (web_search, file_search, …) cannot run on a chat backend.
import { GatewayError } from "../../core";
import { ToolNames } from "../ids";
import { sanitizeSchema } from "../messages-from-chat";
import type { HubTool } from "../../protocols/openai-chat/hub";

type Body = Record<string, any>;

/** What a wire (chat function) name stands for. */
export interface ToolMeaning {
  name: string;
  namespace?: string;
  kind: "function" | "custom" | "local_shell" | "tool_search";
}

/** The request's tools in both directions: semantic → wire name, and wire name → meaning. */
export class ResponsesTools {
  readonly byWire = new Map<string, ToolMeaning>();
  private readonly names: ToolNames;

  constructor(maxName: number) {
    this.names = new ToolNames(maxName);
  }

  /** The wire name of a tool (recorded, so answers map back). */
  wire(name: string, namespace: string | undefined, kind: ToolMeaning["kind"]): string {
    const joined = namespace ? `${namespace}__${name}` : name;
    const wire = this.names.toUpstream(joined);
    if (!this.byWire.has(wire)) this.byWire.set(wire, { name, namespace, kind });
    return wire;
  }

  /** The meaning of a wire name the model called (a name it made up is a plain function). */
  meaning(wire: string): ToolMeaning {
    return this.byWire.get(wire) ?? { name: this.names.fromUpstream(wire), kind: "function" };
  }
}

const SHELL_PARAMS = {
  type: "object",
  properties: { command: { type: "array", items: { type: "string" } }, workdir: { type: "string" }, timeout_ms: { type: "number" } },
  required: ["command"],
};
const WRAPPER_PARAMS = {
  type: "object",
  properties: { input: { type: "string", description: "Raw tool input (not JSON)." } },
  required: ["input"],
  additionalProperties: false,
};
const PATCH_EXAMPLE = "Example input:\n*** Begin Patch\n*** Update File: src/app.py\n@@ def greet():\n-    print('hi')\n+    print('hello')\n*** End Patch";

/** A freeform tool's description, told to take its raw input inside {"input": "…"}. */
function wrappedDescription(t: Body): string {
  const own = String(t.description ?? "")
    .replace(/This is a FREEFORM tool[^.]*\./i, "")
    .trim();
  const lines = [
    own,
    'Call this tool with one JSON argument, "input": a string holding the tool\'s raw input exactly as the tool expects it, with no Markdown fences and nothing before or after it.',
  ];
  if (t.format?.type === "grammar" && typeof t.format.definition === "string") {
    lines.push(`The raw input must match this ${t.format.syntax ?? ""} grammar:\n${t.format.definition}`);
  }
  if (t.name === "apply_patch") lines.push(PATCH_EXAMPLE);
  return lines.filter(Boolean).join("\n\n");
}

/** Responses tools as chat functions; hosted ones are left out (listed in `dropped`). */
export function chatTools(tools: unknown, map: ResponsesTools, dropped: string[]): HubTool[] {
  const out: HubTool[] = [];
  const fn = (name: string, description: unknown, parameters: Body, extra: { strict?: boolean } = {}) => {
    if (!out.some((t) => t.function.name === name))
      out.push({ type: "function", function: { name, description: String(description ?? ""), parameters, ...extra } }); // once each
  };
  const add = (t: Body, i: string, namespace?: string) => {
    if (!t || typeof t !== "object") throw new GatewayError("invalid_request", `tools[${i}] must be an object`, { param: `tools[${i}]` });
    const type = t.type ?? "function";
    if (type === "function") {
      if (typeof t.name !== "string" || !t.name) throw new GatewayError("invalid_request", `tools[${i}].name is required`, { param: `tools[${i}].name` });
      fn(map.wire(t.name, namespace, "function"), t.description, sanitizeSchema(t.parameters), t.strict === true ? { strict: true } : {});
    } else if (type === "custom") {
      if (typeof t.name !== "string" || !t.name) throw new GatewayError("invalid_request", `tools[${i}].name is required`, { param: `tools[${i}].name` });
      fn(map.wire(t.name, namespace, "custom"), wrappedDescription(t), WRAPPER_PARAMS);
    } else if (type === "namespace" && Array.isArray(t.tools)) {
      for (const [j, child] of (t.tools as Body[]).entries()) add(child, `${i}].tools[${j}`, String(t.name ?? ""));
    } else if (type === "local_shell") {
      fn(map.wire("local_shell", undefined, "local_shell"), "Run a command on the user's machine.", SHELL_PARAMS);
    } else if (type === "tool_search" && t.execution !== "server") {
      fn(map.wire("tool_search", undefined, "tool_search"), t.description, sanitizeSchema(t.parameters));
    } else dropped.push(`tools[${i}] (${type})`); // hosted: web_search, file_search, code_interpreter, server tool search, …
  };
  for (const [i, t] of (Array.isArray(tools) ? (tools as Body[]) : []).entries()) add(t, String(i));
  return out;
}

/** Responses tool_choice → chat tool_choice (and the tools it allows). */
export function chatToolChoice(choice: unknown, map: ResponsesTools, tools: HubTool[]): { choice?: unknown; tools: HubTool[] } {
  if (choice === undefined || choice === null) return { tools };
  if (choice === "auto" || choice === "none" || choice === "required") return { choice, tools };
  const c = choice as Body;
  if ((c.type === "function" || c.type === "custom") && typeof c.name === "string") {
    const wire = [...map.byWire.entries()].find(([, m]) => m.name === c.name)?.[0];
    if (!wire) throw new GatewayError("invalid_request", `tool_choice names ${c.name}, which is not in tools`, { param: "tool_choice" });
    return { choice: { type: "function", function: { name: wire } }, tools };
  }
  if (c.type === "allowed_tools" && Array.isArray(c.tools)) {
    const allowed = new Set(c.tools.map((t: Body) => String(t?.name ?? t?.type)));
    const kept = tools.filter((t) => allowed.has(map.meaning(t.function.name).name));
    return { choice: c.mode === "required" ? "required" : "auto", tools: kept };
  }
  throw new GatewayError("invalid_request", `tool_choice ${String(c.type)} is a tool this backend cannot run`, { param: "tool_choice" });
}

/**
 * A freeform tool's raw input from the arguments a chat model wrote: the wrapper's `input`, a lone string
 * property, a double-encoded string, or the text itself; one Markdown fence is removed; a patch is cut to
 * its Begin/End markers. Nothing is invented.
 */
export function unwrapCustomInput(args: string, tool: string, depth = 0): string {
  let raw = args;
  try {
    const v = JSON.parse(args);
    if (typeof v === "string")
      raw = depth === 0 && /^\s*[{"]/.test(v) ? unwrapCustomInput(v, tool, 1) : v; // double-encoded
    else if (v && typeof v === "object" && !Array.isArray(v)) {
      const strings = Object.values(v).filter((x): x is string => typeof x === "string");
      if (typeof v.input === "string") raw = v.input;
      else if (Array.isArray(v.command) && v.command[0] === "apply_patch" && typeof v.command[1] === "string") raw = v.command[1];
      else if (Object.keys(v).length === 1 && strings.length === 1) raw = strings[0]!;
    }
  } catch {
    // not JSON: the model ignored the wrapper
  }
  const fenced = /^\s*```[^\n]*\n([\s\S]*?)\n```\s*$/.exec(raw);
  if (fenced) raw = fenced[1]!;
  if (tool === "apply_patch") {
    const begin = raw.indexOf("*** Begin Patch");
    const end = raw.lastIndexOf("*** End Patch");
    if (begin >= 0 && end > begin) raw = `${raw.slice(begin, end + "*** End Patch".length)}\n`;
  }
  return raw;
}
