// Clients of the other APIs on a backend that speaks only the Responses API (#16.4): Claude Code and the
// Anthropic SDK (reasoning state round-trips inside the gateway's thinking signature), and the OpenAI chat SDK.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { runClaude } from "../helpers/claude-cli";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream, type Script } from "../helpers/mock-upstream";
import { responsesSse } from "../helpers/responses-upstream";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
let next: ((json: any) => Script) | undefined;

beforeAll(() => {
  upstream = startMockUpstream((_req, json) => (next ? next(json) : {}));
  gw = startGateway(`
backends:
  codex: { base_url: "${upstream.url}", api: openai-responses, profile: { ping_interval_ms: 0 } }
models:
  gpt-codex: { backends: { "default:1": { use: codex } } }
  claude-*: { backends: { "default:1": { use: codex, model: gpt-5.1-codex } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: "k", maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "k", maxRetries: 0 });
const seenJson = () => JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));
const sse = (text: string): Script => ({ chunks: [text], headers: { "content-type": "text/event-stream" } });
const READ = {
  name: "Read",
  description: "Read a file",
  input_schema: { type: "object" as const, properties: { file_path: { type: "string" } }, required: ["file_path"] },
};

describe("Anthropic client on a Responses backend", () => {
  test("the request becomes a stateless Responses request; the answer keeps reasoning, text and the tool call", async () => {
    next = () =>
      sse(
        responsesSse([
          { type: "reasoning", summary: "Look at the file.", encrypted: "enc-state-1" },
          { type: "message", text: "Reading it." },
          { type: "function_call", call_id: "call_r", name: "Read", arguments: '{"file_path":"/a"}' },
        ]),
      );
    const msg = await anthropic()
      .messages.stream({
        model: "gpt-codex",
        max_tokens: 2000,
        system: "Be brief.",
        thinking: { type: "enabled", budget_tokens: 10000 },
        tools: [READ],
        messages: [{ role: "user", content: "read /a" }],
      })
      .finalMessage();
    const sent = seenJson();
    expect(upstream.seen.at(-1)!.path).toBe("/v1/responses");
    expect([sent.stream, sent.store, sent.include, sent.instructions]).toEqual([true, false, ["reasoning.encrypted_content"], "Be brief."]);
    expect(sent.input).toEqual([{ type: "message", role: "user", content: [{ type: "input_text", text: "read /a" }] }]);
    expect(sent.tools[0]).toMatchObject({ type: "function", name: "Read" });
    expect(sent.reasoning).toEqual({ effort: "medium", summary: "auto" });
    expect(sent.max_output_tokens).toBe(2000);
    expect(msg.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    const thinking = msg.content[0] as Anthropic.ThinkingBlock;
    expect([thinking.thinking, thinking.signature.startsWith("gw2.")]).toEqual(["Look at the file.", true]);
    expect(msg.content[2]).toMatchObject({ type: "tool_use", id: "call_r", name: "Read", input: { file_path: "/a" } });
    expect(msg.stop_reason).toBe("tool_use");
    expect([msg.usage.input_tokens, msg.usage.output_tokens]).toEqual([100, 20]);
  });

  test("next turn: the signed thinking gives the reasoning item back with its encrypted_content; a forged one is dropped", async () => {
    next = () =>
      sse(
        responsesSse([
          { type: "reasoning", summary: "Plan.", encrypted: "enc-xyz" },
          { type: "function_call", call_id: "call_1", name: "Read", arguments: "{}" },
        ]),
      );
    const first = await anthropic().messages.create({ model: "gpt-codex", max_tokens: 1000, tools: [READ], messages: [{ role: "user", content: "go" }] });
    next = () => sse(responsesSse([{ type: "message", text: "Done." }]));
    const history = (content: Anthropic.ContentBlockParam[]) => [
      { role: "user" as const, content: "go" },
      { role: "assistant" as const, content },
      { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "call_1", content: "file text" }] },
    ];
    await anthropic().messages.create({
      model: "gpt-codex",
      max_tokens: 1000,
      tools: [READ],
      messages: history(first.content as Anthropic.ContentBlockParam[]),
    });
    expect(seenJson().input.slice(1)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "Plan." }], encrypted_content: "enc-xyz" },
      { type: "function_call", call_id: "call_1", name: "Read", arguments: "{}" },
      { type: "function_call_output", call_id: "call_1", output: "file text" },
    ]);
    const forged = (first.content as any[]).map((b) => (b.type === "thinking" ? { ...b, thinking: "Changed plan." } : b));
    await anthropic().messages.create({ model: "gpt-codex", max_tokens: 1000, tools: [READ], messages: history(forged) });
    expect(seenJson().input.some((i: any) => i.type === "reasoning")).toBe(false);
  });

  test("stream grammar; a length stop is max_tokens; response.failed is an error event; an HTTP context error gets Claude Code's wording", async () => {
    next = () => sse(responsesSse([{ type: "message", text: "Half" }], undefined, "incomplete"));
    const r = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "gpt-codex", max_tokens: 5, stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const evs = checkAnthropicStream(await r.text());
    expect(evs.at(-2)!.data.delta.stop_reason).toBe("max_tokens");
    next = () =>
      sse(
        `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"r"}}\n\nevent: response.failed\ndata: {"type":"response.failed","sequence_number":1,"response":{"status":"failed","error":{"code":"server_error","message":"boom"}}}\n\n`,
      );
    const failed = await anthropic()
      .messages.stream({ model: "gpt-codex", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .finalMessage()
      .catch((e) => e);
    expect(String(failed)).toContain("boom");
    next = () => ({
      status: 400,
      body: JSON.stringify({
        error: { message: "Your input exceeds the context window of this model.", type: "invalid_request_error", code: "context_length_exceeded" },
      }),
    });
    const ctx = (await anthropic()
      .messages.create({ model: "gpt-codex", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(ctx.status).toBe(400);
    expect(ctx.message).toContain("prompt is too long");
  });
});

describe("OpenAI chat client on a Responses backend", () => {
  test("stream and whole answers: content, tool calls, usage; no gateway field reaches the client", async () => {
    const answer = () =>
      sse(
        responsesSse(
          [
            { type: "reasoning", summary: "hm", encrypted: "secret-state" },
            { type: "message", text: "Hi!" },
            { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}' },
          ],
          { input_tokens: 50, output_tokens: 7 },
        ),
      );
    const tools = [{ type: "function" as const, function: { name: "f", parameters: { type: "object", properties: {} } } }];
    next = answer;
    const whole = await openai().chat.completions.create({
      model: "gpt-codex",
      messages: [
        { role: "system", content: "S" },
        { role: "user", content: "hi" },
      ],
      tools,
    });
    expect(seenJson().instructions).toBe("S");
    expect(whole.choices[0]!.message.content).toBe("Hi!");
    expect(whole.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: "c1", function: { name: "f", arguments: '{"a":1}' } });
    expect(whole.choices[0]!.finish_reason).toBe("tool_calls");
    expect(whole.usage?.prompt_tokens).toBe(50);
    next = answer;
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "gpt-codex", stream: true, messages: [{ role: "user", content: "hi" }], tools }),
    });
    const text = await r.text();
    expect(text).toContain('"content":"Hi!"');
    expect(text).not.toContain("secret-state");
    expect(text).not.toContain("reasoning_opaque");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });
});

test("Claude Code on a Responses-only model completes a Read-tool task", async () => {
  const dir = (await import("node:fs")).mkdtempSync(`${(await import("node:os")).tmpdir()}/octollm-cc-resp-`);
  const notes = `${dir}/notes.txt`;
  await Bun.write(notes, "the secret word is kraken\n");
  next = (json) => {
    const outputs = (json?.input ?? []).filter((i: any) => i.type === "function_call_output");
    const fns = (json?.tools ?? []).map((t: any) => t.name);
    if (outputs.length) return sse(responsesSse([{ type: "message", text: `The file says: ${/kraken/.exec(JSON.stringify(outputs))?.[0] ?? "?"}` }]));
    if (fns.includes("Read"))
      return sse(
        responsesSse([
          { type: "reasoning", summary: "Read it.", encrypted: "enc-cc" },
          { type: "function_call", call_id: "call_cc", name: "Read", arguments: JSON.stringify({ file_path: notes }) },
        ]),
      );
    return sse(responsesSse([{ type: "message", text: "ok" }]));
  };
  const r = await runClaude(["-p", `Read ${notes} and tell me the secret word`, "--allowedTools", "Read"], {
    ANTHROPIC_BASE_URL: gw.url,
    ANTHROPIC_AUTH_TOKEN: "t",
  });
  expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
  expect(r.out).toContain("The file says: kraken");
  const last = seenJson();
  expect(last.model).toBe("gpt-5.1-codex");
  expect(last.input.find((i: any) => i.type === "reasoning")?.encrypted_content).toBe("enc-cc"); // the thinking signature carried it back
  next = undefined;
}, 120_000);
