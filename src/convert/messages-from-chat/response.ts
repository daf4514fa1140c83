// OpenAI Chat response → Anthropic Messages response, non-streaming (docs/conversion.md).
import { GatewayError } from "../../core";
import { parseToolArguments, randomBase62, signThinking, signThinkingState, toAnthropicToolId } from "../ids";
import type { BackendProfile } from "../profile";
import { blocksText } from "./content";
import type { MessagesContext } from "./request";
import { findUsage } from "../../protocols/usage";
import { mapUsage } from "./usage";

type Body = Record<string, any>;

/** The reasoning text of a message or delta, from whichever field the backend uses. */
export function reasoningOf(m: Body | undefined): string {
  if (!m) return "";
  if (typeof m.reasoning_content === "string" && m.reasoning_content) return m.reasoning_content;
  if (typeof m.reasoning === "string" && m.reasoning) return m.reasoning;
  if (Array.isArray(m.reasoning_details)) {
    return m.reasoning_details
      .filter((d: Body) => d?.type === "reasoning.text" && typeof d.text === "string")
      .map((d: Body) => d.text)
      .join("");
  }
  return "";
}

/** Splits `<think>…</think>` out of content. */
function splitThinkTags(content: string): { thinking: string; text: string } {
  const m = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(content);
  return m ? { thinking: m[1]!.trim(), text: content.slice(m[0].length) } : { thinking: "", text: content };
}

/** Anthropic stop_reason for an OpenAI finish_reason (tools emitted win). */
export function mapStopReason(finish: unknown, toolsEmitted: boolean, refusal: boolean, stopString: string | undefined): string {
  if (toolsEmitted) return "tool_use";
  if (refusal) return "refusal";
  if (stopString !== undefined) return "stop_sequence";
  if (finish === "length") return "max_tokens";
  if (finish === "content_filter") return "refusal";
  return "end_turn";
}

/** The Anthropic message for an OpenAI chat.completion body. */
export function messagesFromChatResponse(body: Body, ctx: MessagesContext, profile: BackendProfile): Body {
  const choice = body?.choices?.[0];
  if (!choice) throw new GatewayError("api_error", "upstream returned no choices", { status: 502 });
  if (choice.finish_reason === "insufficient_system_resource" || choice.finish_reason === "error") {
    throw new GatewayError("overloaded", `upstream could not finish the answer (${choice.finish_reason})`);
  }
  const m: Body = choice.message ?? {};
  let text = blocksText(m.content, "");
  let thinking = reasoningOf(m);
  if (!thinking && profile.thinkTags) ({ thinking, text } = splitThinkTags(text));
  const content: Body[] = [];
  const state = typeof m.reasoning_opaque === "string" && m.reasoning_opaque ? m.reasoning_opaque : undefined;
  if (thinking.trim()) content.push({ type: "thinking", thinking, signature: state ? signThinkingState(thinking, state) : signThinking(thinking) });
  else if (state) content.push({ type: "redacted_thinking", data: signThinkingState("", state) });
  let refusal = false;
  if (text.trim()) content.push({ type: "text", text });
  else if (typeof m.refusal === "string" && m.refusal.trim()) {
    content.push({ type: "text", text: m.refusal });
    refusal = true;
  }
  const calls: Body[] = Array.isArray(m.tool_calls) ? m.tool_calls : m.function_call ? [{ function: m.function_call }] : [];
  for (const tc of calls) {
    if (tc?.type && tc.type !== "function") continue;
    content.push({
      type: "tool_use",
      id: toAnthropicToolId(tc.id),
      name: ctx.toolNames.fromUpstream(String(tc.function?.name ?? "")),
      input: parseToolArguments(tc.function?.arguments),
    });
  }
  const toolsEmitted = content.some((b) => b.type === "tool_use");
  const stopString = typeof choice.stop_reason === "string" && ctx.stop.includes(choice.stop_reason) ? choice.stop_reason : undefined;
  const outputChars = text.length + thinking.length + calls.reduce((n, c) => n + String(c.function?.arguments ?? "").length, 0);
  return {
    id: typeof body.id === "string" && body.id ? `msg_${body.id}` : `msg_${randomBase62(24)}`,
    type: "message",
    role: "assistant",
    model: ctx.requestedModel,
    content,
    stop_reason: mapStopReason(choice.finish_reason, toolsEmitted, refusal, stopString),
    stop_sequence: stopString ?? null,
    usage: mapUsage(findUsage(body), { input: ctx.inputEstimate, output: Math.ceil(outputChars / 4) }),
  };
}
