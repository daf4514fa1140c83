// Anthropic messages → OpenAI messages (docs/conversion.md), with the pairing repairs.
import { isGatewaySignature, thinkingState, type ToolNames } from "../ids";
import { resultBlockText } from "../web-search";
import type { BackendProfile } from "../profile";
import type { HubRequestMessage, HubToolCall } from "../../protocols/openai-chat/hub";
import { blocksText, cachedText, toolResultContent, userBlockParts, type OpenAIPart } from "./content";

/** A message of a request in the hub's form. */
export type ChatMessage = HubRequestMessage;
type Block = Record<string, any>;

const BILLING = "x-anthropic-billing-header:";

/** The system prompt as one string: Claude Code's per-request billing block stripped, empty blocks dropped. */
export function systemText(system: unknown): string {
  if (typeof system === "string") {
    return system.startsWith(BILLING) ? system.split("\n").slice(1).join("\n").trim() : system.trim();
  }
  if (!Array.isArray(system)) return "";
  return system
    .filter((b: Block) => b?.type === "text" && typeof b.text === "string" && b.text.trim() !== "" && !b.text.startsWith(BILLING))
    .map((b: Block) => b.text)
    .join("\n\n");
}

/**
 * The system message: one string, or (with profile.pass_cache_control, when a block is marked) text parts that
 * keep their cache_control.
 */
function systemMessage(system: unknown, profile: BackendProfile): ChatMessage | undefined {
  if (profile.passCacheControl && Array.isArray(system) && system.some((b: Block) => b?.cache_control)) {
    const parts = (system as Block[])
      .filter((b) => b?.type === "text" && typeof b.text === "string" && b.text.trim() !== "" && !b.text.startsWith(BILLING))
      .map((b) => cachedText(b.text, b, profile));
    return parts.length ? { role: "system", content: parts } : undefined;
  }
  const sys = systemText(system);
  return sys ? { role: "system", content: sys } : undefined;
}

function userMessage(parts: OpenAIPart[]): ChatMessage | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0]!.type === "text" && !parts[0]!.cache_control) return { role: "user", content: parts[0]!.text };
  return { role: "user", content: parts };
}

function assistantMessage(content: unknown, profile: BackendProfile, names: ToolNames): ChatMessage | undefined {
  if (typeof content === "string") return content.trim() ? { role: "assistant", content } : undefined;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  const thinking: string[] = [];
  let state: string | undefined; // a Responses backend's reasoning state, from this gateway's gw2 signature
  const calls: HubToolCall[] = [];
  for (const b of content as Block[]) {
    if (b?.type === "text" && typeof b.text === "string" && b.text.trim()) texts.push(b.text);
    else if (b?.type === "tool_use") {
      calls.push({ id: b.id, type: "function", function: { name: names.toUpstream(String(b.name)), arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b?.type === "thinking" && typeof b.thinking === "string") {
      thinking.push(b.thinking);
      state ??= profile.reasoningState ? thinkingState(b.signature, b.thinking) : undefined;
    } else if (b?.type === "redacted_thinking" && profile.reasoningState) state ??= thinkingState(b.data, "");
    else if (b?.type === "server_tool_use") texts.push(`[${String(b.name)}: ${JSON.stringify(b.input ?? {})}]`);
    else if (b?.type === "web_search_tool_result") texts.push(resultBlockText(b));
    else if (b?.type === "web_fetch_tool_result") texts.push("[web fetch tool result]");
  }
  if (texts.length === 0 && calls.length === 0) return undefined;
  const msg: ChatMessage = { role: "assistant", content: texts.length ? texts.join("\n\n") : profile.assistantNullContent ? null : "" };
  if (calls.length) msg.tool_calls = calls;
  if (thinking.length && profile.reasoningHistory !== "drop") msg[profile.reasoningHistory] = thinking.join("\n\n");
  if (state) {
    msg.reasoning_opaque = state; // the gateway's own field, read by the Responses converter below it
    msg.reasoning_content ??= thinking.join("\n\n");
  }
  return msg;
}

/** Converts the messages, then repairs tool pairing and merges consecutive user messages. */
export function convertMessages(system: unknown, messages: unknown[], profile: BackendProfile, names: ToolNames): ChatMessage[] {
  const out: ChatMessage[] = [];
  const sys = systemMessage(system, profile);
  if (sys) out.push(sys);
  for (const m of messages as Block[]) {
    if (m?.role === "system") {
      const text = typeof m.content === "string" ? m.content : blocksText(m.content, "\n\n");
      if (text.trim()) out.push({ role: "system", content: text });
    } else if (m?.role === "assistant") {
      const msg = assistantMessage(m.content, profile, names);
      if (msg) out.push(msg);
    } else if (m?.role === "user") {
      if (typeof m.content === "string") {
        if (m.content.trim()) out.push({ role: "user", content: m.content });
        continue;
      }
      const parts: OpenAIPart[] = [];
      for (const b of (Array.isArray(m.content) ? m.content : []) as Block[]) {
        if (b?.type === "tool_result") {
          const { text, media } = toolResultContent(b, profile);
          const cached = profile.passCacheControl && b.cache_control;
          out.push({ role: "tool", tool_call_id: b.tool_use_id, content: cached ? [cachedText(text, b, profile)] : text });
          if (media.length) parts.push({ type: "text", text: `[output of tool ${b.tool_use_id}]` }, ...media);
        } else parts.push(...userBlockParts(b, profile));
      }
      const msg = userMessage(parts);
      if (msg) out.push(msg);
    }
  }
  return mergeUsers(repairToolPairs(out));
}

/** Every tool call is answered before the next non-tool message; results without a call become user text. */
export function repairToolPairs(list: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let open: string[] = [];
  const closeOpen = () => {
    for (const id of open) out.push({ role: "tool", tool_call_id: id, content: "(no result: tool call was interrupted)" });
    open = [];
  };
  for (const m of list) {
    if (m.role === "tool") {
      const i = open.indexOf(m.tool_call_id ?? "");
      if (i >= 0) {
        open.splice(i, 1);
        out.push(m);
      } else out.push({ role: "user", content: `[orphan tool result ${m.tool_call_id}]: ${blocksText(m.content)}` });
      continue;
    }
    closeOpen();
    out.push(m);
    if (m.role === "assistant" && m.tool_calls) open = m.tool_calls.map((c) => c.id);
  }
  closeOpen();
  return out;
}

/** Consecutive user messages merged into one (chat templates that need user and assistant to alternate). */
export function mergeUsers(list: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts = (c: unknown): OpenAIPart[] => (typeof c === "string" ? [{ type: "text", text: c }] : (c as OpenAIPart[]));
  for (const m of list) {
    const prev = out[out.length - 1];
    if (prev && prev.role === "user" && m.role === "user") prev.content = [...parts(prev.content), ...parts(m.content)];
    else out.push(m);
  }
  return out;
}

/** Thinking blocks this gateway signed are removed before the request goes to a real Anthropic backend. */
export function stripGatewayThinking(messages: unknown[]): unknown[] | undefined {
  let out: unknown[] | undefined;
  (messages as Block[]).forEach((m, i) => {
    if (m?.role !== "assistant" || !Array.isArray(m.content)) return;
    const kept = m.content.filter((b: Block) => !(b?.type === "thinking" && isGatewaySignature(b.signature)));
    if (kept.length === m.content.length) return;
    out ??= [...messages];
    out[i] = { ...m, content: kept };
  });
  return out;
}
