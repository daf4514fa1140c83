#!/usr/bin/env bun
// The cost of converting a 200 KB Claude-Code-shaped request (Anthropic → OpenAI): the conversion alone
// (median of 200 runs), and with JSON.parse of the body and JSON.stringify of the result around it.
import { estimateInputTokens, makeProfile, messagesFromChatRequest } from "../../src/convert";

/** A Claude Code turn of about `size` bytes: billing block, 24 tools, tool calls and results, reminders. */
export function claudeCodeRequest(size: number): Record<string, any> {
  const tools = Array.from({ length: 24 }, (_, i) => ({
    name: i === 23 ? `mcp__${"very_long_server_name_".repeat(3)}tool` : `Tool${i}`,
    description: "Does something useful with files and commands. ".repeat(8),
    input_schema: {
      type: "object",
      properties: { file_path: { type: "string", description: "Absolute path" }, limit: { type: "number" } },
      required: ["file_path"],
    },
  }));
  const messages: any[] = [{ role: "user", content: "Fix the failing test in src/app.ts" }];
  for (let i = 0; JSON.stringify(messages).length + JSON.stringify(tools).length < size; i++) {
    messages.push({
      role: "assistant",
      content: [
        { type: "text", text: `Step ${i}: reading the file.` },
        { type: "tool_use", id: `toolu_${i}`, name: "Tool1", input: { file_path: `/repo/src/f${i}.ts` } },
      ],
    });
    messages.push({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: `toolu_${i}`, content: "export function f(x: number) {\n  return x * 2;\n}\n".repeat(12) },
        { type: "text", text: "<system-reminder>todo list unchanged</system-reminder>" },
      ],
    });
  }
  return {
    model: "claude-opus-4-8",
    max_tokens: 64000,
    stream: true,
    thinking: { type: "adaptive" },
    output_config: { effort: "high" },
    metadata: { user_id: JSON.stringify({ device_id: "d".repeat(64), account_uuid: "a", session_id: "s" }) },
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197; cch=3be91;" },
      { type: "text", text: "You are Claude Code. ".repeat(100), cache_control: { type: "ephemeral" } },
    ],
    tools,
    messages,
  };
}

if (import.meta.main) {
  const body = claudeCodeRequest(200 * 1024);
  const text = JSON.stringify(body);
  const profile = makeProfile();
  const median = (fn: () => void, runs = 200) => {
    for (let i = 0; i < 30; i++) fn();
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      fn();
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return t[Math.floor(runs / 2)]!;
  };
  const convertOnly = median(() => messagesFromChatRequest(structuredClone(body), profile, 0)) - median(() => structuredClone(body));
  const full = median(() => JSON.stringify(messagesFromChatRequest(JSON.parse(text), profile, estimateInputTokens(body)).body));
  const parseOnly = median(() => JSON.parse(text));
  console.log(`request of ${(text.length / 1024).toFixed(0)} KB, ${body.messages.length} messages, ${body.tools.length} tools`);
  console.log(`conversion alone: median ${(convertOnly * 1000).toFixed(0)} µs`);
  console.log(`parse + estimate + convert + stringify: median ${(full * 1000).toFixed(0)} µs (JSON.parse alone: ${(parseOnly * 1000).toFixed(0)} µs)`);
}
