// Gemini as a backend (api: google-gemini), on a scripted Gemini upstream: Anthropic and OpenAI SDK clients
// converted to it (text, streams, a tool loop with its ids and the signature Gemini 3 checks), Gemini clients
// passed through byte for byte with the operator's key, and usage read from usageMetadata.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runClaude } from "../helpers/claude-cli";
import { runCodex } from "../helpers/codex-cli";
import { runGeminiCli } from "../helpers/gemini-cli";
import { sealState } from "../../src/convert";
import { startGateway, type TestGateway } from "../helpers/gateway";

interface Seen {
  path: string;
  headers: Record<string, string>;
  text: string;
  json: any;
}

const seen: Seen[] = [];
const event = (e: object) => `data: ${JSON.stringify(e)}\r\n\r\n`;
const usage = { promptTokenCount: 40, cachedContentTokenCount: 10, candidatesTokenCount: 6, thoughtsTokenCount: 4, totalTokenCount: 50 };

/** Claude Code's turn: a Read of notes.txt in its working directory, then the file's text quoted. */
function claudeCodeTurn(json: any): object[] | undefined {
  const names = (json?.tools?.[0]?.functionDeclarations ?? []).map((d: any) => d.name);
  if (!names.includes("Read")) return undefined;
  const result = (json.contents as any[]).flatMap((c) => c.parts).find((p: any) => p.functionResponse);
  if (result) {
    const said = String(result.functionResponse.response.output).match(/secret word is (\w+)/)?.[1] ?? "nothing";
    return [
      {
        candidates: [{ content: { role: "model", parts: [{ text: `The notes say the word is ${said}.` }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: usage,
      },
    ];
  }
  const cwd = JSON.stringify(json.systemInstruction ?? "").match(/Primary working directory: ([^\s\\]+)/)?.[1] ?? "/tmp";
  const call = { functionCall: { id: "read-1", name: "Read", args: { file_path: `${cwd}/notes.txt` } }, thoughtSignature: "c2lnLTI=" };
  return [{ candidates: [{ content: { role: "model", parts: [call] }, finishReason: "STOP", index: 0 }], usageMetadata: usage }];
}

/** Codex's turn (direct tools): a shell command reading notes.txt, then the answer quoting it. */
function codexTurn(json: any): object[] {
  const result = (json.contents as any[]).flatMap((c) => c.parts).find((p: any) => p.functionResponse);
  const said = (parts: object[]) => [{ candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }], usageMetadata: usage }];
  if (!result) return said([{ functionCall: { id: "cx-1", name: "exec_command", args: { cmd: "cat notes.txt" } }, thoughtSignature: "c2lnLTM=" }]);
  const secret = /secret-[a-z]+/.exec(JSON.stringify(result.functionResponse.response))?.[0] ?? "nothing";
  return said([{ text: `The notes say: ${secret}` }]);
}

/** What the scripted Gemini answers: a call to the first declared tool until a result came, else text. */
function answer(json: any): object[] {
  const cc = claudeCodeTurn(json);
  if (cc) return cc;
  const tools = json?.tools?.[0]?.functionDeclarations ?? [];
  const answered = JSON.stringify(json?.contents ?? []).includes("functionResponse");
  if (tools.length && !answered) {
    const call = { functionCall: { id: "g-call-1", name: tools[0].name, args: { path: "notes.txt" } }, thoughtSignature: "c2lnLTE=" };
    return [
      // text between the thought and the call: the signatures arrive after the thought item ended
      {
        candidates: [
          { content: { role: "model", parts: [{ text: "checking", thought: true }, { text: "Reading it." }, call] }, finishReason: "STOP", index: 0 },
        ],
        usageMetadata: usage,
        responseId: "r1",
      },
    ];
  }
  return [
    { candidates: [{ content: { role: "model", parts: [{ text: "Hello " }] }, index: 0 }], responseId: "r2" },
    { candidates: [{ content: { role: "model", parts: [{ text: "from Gemini" }] }, finishReason: "STOP", index: 0 }], usageMetadata: usage, responseId: "r2" },
  ];
}

const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const url = new URL(req.url);
    const text = await req.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {}
    seen.push({ path: url.pathname + url.search, headers: Object.fromEntries(req.headers), text, json });
    if (url.pathname.endsWith(":countTokens")) return Response.json({ totalTokens: 42 });
    const events = url.pathname.includes("/gemini-for-codex:") ? codexTurn(json) : answer(json);
    if (url.pathname.endsWith(":streamGenerateContent")) return new Response(events.map(event).join(""), { headers: { "content-type": "text/event-stream" } });
    const parts = events.flatMap((e: any) => e.candidates[0].content.parts);
    return Response.json({ ...events.at(-1), candidates: [{ ...(events.at(-1) as any).candidates[0], content: { role: "model", parts } }] });
  },
});

let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(`
backends:
  google: { base_url: "http://127.0.0.1:${upstream.port}", api: google-gemini, api_key: sk-goog-operator }
  own-key: { base_url: "http://127.0.0.1:${upstream.port}", api: google-gemini, auth: client, url_path_gemini: "/proxy/{version}/models/{model}:{method}" }
models:
  gemini-own-key: { backends: { "default:1": { use: own-key } } }
  gpt-5.5: { backends: { "default:1": { use: google, model: gemini-for-codex } } }
  claude-on-gemini: { backends: { "default:1": { use: google, model: gemini-3.1-pro-preview } } }
  gemini-3-flash-preview: { backends: { "default:1": { use: google } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
});

describe("Anthropic and OpenAI clients on a Gemini backend", () => {
  test("Anthropic SDK: text, streamed, usage with the cache; the request goes to the backend's model with the operator's key", async () => {
    const before = seen.length;
    const client = new Anthropic({ baseURL: gw.url, apiKey: "client-key" });
    const stream = client.messages.stream({ model: "claude-on-gemini", max_tokens: 200, messages: [{ role: "user", content: "hi" }] });
    const msg = await stream.finalMessage();
    expect(msg.content).toMatchObject([{ type: "text", text: "Hello from Gemini" }]);
    expect(msg.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 10, output_tokens: 10 });
    const sent = seen[before]!;
    expect(sent.path).toBe("/v1beta/models/gemini-3.1-pro-preview:streamGenerateContent?alt=sse");
    expect(sent.headers["x-goog-api-key"]).toBe("sk-goog-operator");
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers["x-api-key"]).toBeUndefined();
    expect(sent.json.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
    expect(sent.json.generationConfig.maxOutputTokens).toBe(200);
  });

  test("a tool loop through Claude's shape: the call's id comes back paired, and the model's own signature on it", async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: "client-key" });
    const tools = [{ name: "read_file", description: "reads", input_schema: { type: "object" as const, properties: { path: { type: "string" } } } }];
    const first = await client.messages.create({ model: "claude-on-gemini", max_tokens: 200, tools, messages: [{ role: "user", content: "read notes" }] });
    const call = first.content.find((b) => b.type === "tool_use")!;
    expect(call).toMatchObject({ type: "tool_use", id: "g-call-1", name: "read_file", input: { path: "notes.txt" } });
    expect(first.stop_reason).toBe("tool_use");
    const before = seen.length;
    const second = await client.messages.create({
      model: "claude-on-gemini",
      max_tokens: 200,
      tools,
      messages: [
        { role: "user", content: "read notes" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "the notes" }] },
      ],
    });
    expect(second.content.find((b) => b.type === "text")).toMatchObject({ text: "Hello from Gemini" });
    const contents = seen[before]!.json.contents;
    const model = contents.find((c: any) => c.role === "model");
    const fc = model.parts.find((p: any) => p.functionCall);
    expect(fc.functionCall).toEqual({ id: "g-call-1", name: "read_file", args: { path: "notes.txt" } });
    expect(fc.thoughtSignature).toBe("c2lnLTE="); // carried in Claude's thinking block signature, back where the model put it
    const signed = first.content.filter((b) => b.type === "thinking" || b.type === "redacted_thinking");
    expect(JSON.stringify(signed)).not.toContain("c2lnLTE="); // never shown as it is: signed by the gateway
    expect(contents.at(-1).parts).toEqual([{ functionResponse: { id: "g-call-1", name: "read_file", response: { output: "the notes" } } }]);
  });

  test("a Responses client (Codex's API) carries the model's signature to its next turn in a reasoning item", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "client-key" });
    const tools = [{ type: "function" as const, name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } }, strict: false }];
    const first = await client.responses.create({
      model: "claude-on-gemini",
      input: "read notes",
      tools,
      store: false,
      include: ["reasoning.encrypted_content"],
    });
    const call = first.output.find((o) => o.type === "function_call")!;
    const reasoning = first.output.filter((o) => o.type === "reasoning");
    expect(reasoning.some((r: any) => typeof r.encrypted_content === "string")).toBe(true);
    expect(JSON.stringify(first.output)).not.toContain("c2lnLTE="); // signed by the gateway, never shown as it is
    const before = seen.length;
    await client.responses.create({
      model: "claude-on-gemini",
      tools,
      store: false,
      include: ["reasoning.encrypted_content"],
      input: [
        { role: "user", content: "read notes" },
        ...(first.output as any[]),
        { type: "function_call_output", call_id: (call as any).call_id, output: "the notes" },
      ],
    });
    const fc = seen[before]!.json.contents.flatMap((c: any) => c.parts).find((p: any) => p.functionCall);
    expect(fc).toMatchObject({ functionCall: { id: "g-call-1", name: "read_file" }, thoughtSignature: "c2lnLTE=" });
  });

  test("OpenAI SDK chat, whole: the stream read into one completion", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "client-key" });
    const res = await client.chat.completions.create({ model: "claude-on-gemini", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]!.message.content).toBe("Hello from Gemini");
    expect(res.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 10 });
  });
});

test("Claude Code reads a file with its Read tool on a Gemini backend", async () => {
  const before = seen.length;
  const home = (await runClaude(["--version"])).home;
  writeFileSync(join(home, "notes.txt"), "The secret word is pelican.\n");
  const r = await runClaude(
    ["-p", "What does notes.txt say?", "--model", "claude-on-gemini"],
    { ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_AUTH_TOKEN: "any" },
    undefined,
    home,
  );
  expect(r.code).toBe(0);
  expect(r.out).toContain("pelican");
  const turns = seen.slice(before).filter((s) => s.json?.tools);
  expect(turns.length).toBeGreaterThanOrEqual(2);
  const last = turns.at(-1)!.json.contents;
  const call = last.flatMap((c: any) => c.parts).find((p: any) => p.functionCall?.id === "read-1");
  expect(call.thoughtSignature).toBe("c2lnLTI="); // the model's own signature, back through Claude Code's thinking block
}, 120_000);

test("Codex runs a command on a Gemini backend and answers with what it read; the model's signature comes back", async () => {
  const before = seen.length;
  const r = await runCodex(`${gw.url}/v1`, "gpt-5.5", "What does notes.txt say?", { "notes.txt": "secret-pelican\n" });
  expect({ code: r.code, tail: r.code === 0 ? "" : r.err.slice(-2000) }).toEqual({ code: 0, tail: "" });
  const items = r.events.filter((e) => e.type === "item.completed").map((e) => e.item);
  expect(items.some((i) => i.type === "command_execution" && String(i.aggregated_output).includes("secret-pelican"))).toBe(true);
  expect(items.at(-1)).toMatchObject({ type: "agent_message", text: "The notes say: secret-pelican" });
  const turns = seen.slice(before).filter((s) => s.path.includes("/gemini-for-codex:"));
  expect(turns.length).toBe(2);
  const call = turns[1]!.json.contents.flatMap((c: any) => c.parts).find((p: any) => p.functionCall);
  expect(call).toMatchObject({ functionCall: { id: "cx-1", name: "exec_command" }, thoughtSignature: "c2lnLTM=" }); // through Codex's reasoning item
}, 120_000);

describe("Gemini clients on a Gemini backend: passed through", () => {
  test("generateContent: the client's bytes to the model's path with the operator's key, the answer as the upstream sent it", async () => {
    const before = seen.length;
    const ai = new GoogleGenAI({ apiKey: "client-google-key", httpOptions: { baseUrl: gw.url, apiVersion: "v1beta" } });
    const res = await ai.models.generateContent({ model: "gemini-3-flash-preview", contents: "hi" });
    expect(res.text).toBe("Hello from Gemini");
    const sent = seen[before]!;
    expect(sent.path).toBe("/v1beta/models/gemini-3-flash-preview:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("sk-goog-operator");
    expect(JSON.stringify(sent.headers)).not.toContain("client-google-key");
    expect(sent.json).toEqual({ contents: [{ parts: [{ text: "hi" }], role: "user" }] });
    const line = gw.logs.at(-1);
    expect([line.tokens_in, line.tokens_out]).toEqual([40, 10]);
  });

  test("streamGenerateContent passes as SSE; its usage is read from usageMetadata", async () => {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gw.url, apiVersion: "v1beta" } });
    let text = "";
    for await (const c of await ai.models.generateContentStream({ model: "gemini-3-flash-preview", contents: "hi" })) text += c.text ?? "";
    expect(text).toBe("Hello from Gemini");
    expect(seen.at(-1)!.path).toBe("/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse");
    await Bun.sleep(20);
    const line = gw.logs.at(-1);
    expect([line.tokens_in, line.tokens_out, line.usage_estimated]).toEqual([40, 10, undefined]);
  });

  test("auth: client sends the client's own Google key as x-goog-api-key; url_path_gemini places the call", async () => {
    const ai = new GoogleGenAI({ apiKey: "client-own-google-key", httpOptions: { baseUrl: gw.url, apiVersion: "v1beta" } });
    expect((await ai.models.generateContent({ model: "gemini-own-key", contents: "hi" })).text).toBe("Hello from Gemini");
    const sent = seen.at(-1)!;
    expect(sent.path).toBe("/proxy/v1beta/models/gemini-own-key:generateContent");
    expect([sent.headers["x-goog-api-key"], sent.headers["x-api-key"]]).toEqual(["client-own-google-key", undefined]);
  });

  test("Gemini CLI on a Gemini backend: its calls pass through with the operator's key, its answer and stats are Google's", async () => {
    const before = seen.length;
    const r = await runGeminiCli(gw.url, "gemini-3-flash-preview", "say hi", [], "gemini-cli-own-key");
    expect(r.code).toBe(0);
    expect(r.json?.response).toBe("Hello from Gemini");
    const calls = seen.slice(before); // the scripted model calls the CLI's first tool, then answers
    expect(calls.map((c) => c.path)).toEqual(Array(2).fill("/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse"));
    for (const c of calls) expect([c.headers["x-goog-api-key"], JSON.stringify(c.headers).includes("gemini-cli-own-key")]).toEqual(["sk-goog-operator", false]);
    const parts = calls[1]!.json.contents.flatMap((c: any) => c.parts);
    expect(parts.find((p: any) => p.functionCall)).toMatchObject({ functionCall: { id: "g-call-1" }, thoughtSignature: "c2lnLTE=" }); // untouched
    expect(parts.find((p: any) => p.functionResponse)?.functionResponse.id).toBe("g-call-1");
    expect(r.json?.stats.models["gemini-3-flash-preview"].tokens.prompt).toBe(40 + 40);
  }, 120_000);

  test("the gateway's sealed signatures (from a turn on another backend) never reach Google: a call gets the skip value", async () => {
    const sealed = sealState("a.sig-from-claude", "thinking");
    const contents = [
      { role: "user", parts: [{ text: "read notes" }] },
      {
        role: "model",
        parts: [
          { text: "Reading.", thoughtSignature: sealed },
          { functionCall: { id: "x1", name: "read_file", args: {} }, thoughtSignature: sealed },
        ],
      },
      { role: "model", parts: [{ text: "", thoughtSignature: sealed }] },
      { role: "user", parts: [{ functionResponse: { id: "x1", name: "read_file", response: { output: "ok" } } }] },
    ];
    const res = await fetch(`${gw.url}/v1beta/models/gemini-3-flash-preview:generateContent`, { method: "POST", body: JSON.stringify({ contents }) });
    expect(res.status).toBe(200);
    const sent = seen.at(-1)!;
    expect(sent.text).not.toContain("AGd3M");
    expect(sent.json.contents[1].parts).toEqual([
      { text: "Reading." },
      { functionCall: { id: "x1", name: "read_file", args: {} }, thoughtSignature: "skip_thought_signature_validator" },
    ]);
    expect(sent.json.contents.length).toBe(3); // the model content that held only a sealed signature is gone
  });

  test("the client's API version is kept on pass-through (the SDK's default v1)", async () => {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gw.url } });
    expect((await ai.models.generateContent({ model: "gemini-3-flash-preview", contents: "hi" })).text).toBe("Hello from Gemini");
    expect(seen.at(-1)!.path).toBe("/v1/models/gemini-3-flash-preview:generateContent");
  });

  test("countTokens passes to the upstream", async () => {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gw.url, apiVersion: "v1beta" } });
    expect((await ai.models.countTokens({ model: "gemini-3-flash-preview", contents: "hi" })).totalTokens).toBe(42);
  });
});
