// A model's tool call as the Responses output item it stands for: function_call, custom_tool_call (the raw
// input unwrapped from the chat wrapper), local_shell_call or tool_search_call, with the events between
// the item's added and done.
import { unwrapCustomInput, type ToolMeaning } from "./tools";

type Body = Record<string, any>;

/** The item as added (in progress), the events that carry its input, and the item as done. */
export interface ToolCallItem {
  added: Body;
  events: [string, Body][];
  item: Body;
}

function parsed(args: string): Body {
  try {
    const v = JSON.parse(args);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

/** The output item of one tool call (`base` and `index` make its id). */
export function toolCallItem(meaning: ToolMeaning, callId: string, args: string, base: string, index: number): ToolCallItem {
  const ns = meaning.namespace ? { namespace: meaning.namespace } : {};
  if (meaning.kind === "custom") {
    const input = unwrapCustomInput(args, meaning.name);
    const item = { id: `ctc_${base}_${index}`, type: "custom_tool_call", status: "completed", call_id: callId, name: meaning.name, ...ns, input };
    return {
      added: { ...item, status: "in_progress", input: "" },
      events: [
        ["response.custom_tool_call_input.delta", { delta: input }],
        ["response.custom_tool_call_input.done", { input }],
      ],
      item,
    };
  }
  if (meaning.kind === "local_shell") {
    const a = parsed(args);
    const action = {
      type: "exec",
      command: Array.isArray(a.command) ? a.command.map(String) : [],
      timeout_ms: a.timeout_ms ?? null,
      working_directory: a.workdir ?? null,
      env: {},
      user: null,
    };
    const item = { id: `lsh_${base}_${index}`, type: "local_shell_call", status: "completed", call_id: callId, action };
    return { added: { ...item, status: "in_progress" }, events: [], item };
  }
  if (meaning.kind === "tool_search") {
    const item = { id: `tsc_${base}_${index}`, type: "tool_search_call", call_id: callId, execution: "client", status: "completed", arguments: parsed(args) };
    return { added: item, events: [], item };
  }
  const item = { id: `fc_${base}_${index}`, type: "function_call", status: "completed", arguments: args, call_id: callId, name: meaning.name, ...ns };
  return {
    added: { ...item, status: "in_progress", arguments: "" },
    events: [
      ["response.function_call_arguments.delta", { delta: args }],
      ["response.function_call_arguments.done", { name: meaning.name, arguments: args }],
    ],
    item,
  };
}
