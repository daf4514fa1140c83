// POST /v1/responses (#16) through the official openai SDK: converted to a chat backend, to an Anthropic
// backend (through the chat converter), and passed through to a Responses backend; streams checked against
// the Responses grammar.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startScriptedUpstream } from "../helpers/mock-upstream";
import { checkResponsesStream } from "../helpers/responses-grammar";
import { chunk, d } from "../fixtures/openai-streams";
import { anthropicMessage } from "../fixtures/anthropic";

const usage = (p: number, c: number, cached = 0) =>
  d({ id: "c1", choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c, prompt_tokens_details: { cached_tokens: cached } } });
const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";

let upstream: ReturnType<typeof startScriptedUpstream>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startScriptedUpstream();
  gw = startGateway(`
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat, profile: { reasoning_history: reasoning_content, ping_interval_ms: 0 } }
  claude: { base_url: "${upstream.url}", api: anthropic-messages, profile: { ping_interval_ms: 0 } }
  native: { base_url: "${upstream.url}", api: [openai-responses, openai-chat] }
  alias: { base_url: "${upstream.url}", convert_to_messages: from_chat }
models:
  gpt-chat: { backends: { "default:1": { use: chat } } }
  gpt-claude: { backends: { "default:1": { use: claude } } }
  gpt-native: { backends: { "default:1": { use: native } } }
  gpt-alias: { backends: { "default:1": { use: alias } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "k", maxRetries: 0 });
const seen = () => upstream.seen.at(-1)!;
const seenJson = () => JSON.parse(new TextDecoder().decode(seen().body));
const post = (body: object) => fetch(`${gw.url}/v1/responses`, { method: "POST", body: JSON.stringify(body) });

describe("Responses client → chat backend", () => {
  test("non-stream: the answer is a Response with output_text and usage in OpenAI terms", async () => {
    upstream.next = {
      chunks: [chunk({ role: "assistant", content: "" }), chunk({ content: "Hi there" }), chunk({}, "stop"), usage(1200, 42, 1000), "data: [DONE]\n\n"],
    };
    const r = await openai().responses.create({ model: "gpt-chat", instructions: "Be brief.", input: "hello" });
    expect(r.output_text).toBe("Hi there");
    expect(r.status).toBe("completed");
    expect(r.model).toBe("gpt-chat");
    expect(r.usage).toEqual({
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 },
      output_tokens: 42,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1242,
    } as any);
    expect(seen().path).toBe("/v1/chat/completions");
    const body = seenJson();
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hello" },
    ]);
    expect([body.stream, body.stream_options]).toEqual([true, { include_usage: true }]);
  });

  test("stream: reasoning, text, a function call and a freeform apply_patch call; the grammar holds", async () => {
    const script = () => ({
      chunks: [
        chunk({ role: "assistant", content: "" }),
        chunk({ reasoning_content: "Need a new file." }),
        chunk({ content: "Adding hello.txt." }),
        chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "exec_command", arguments: '{"cmd":' } }] }),
        chunk({ tool_calls: [{ index: 1, id: "call_2", type: "function", function: { name: "apply_patch", arguments: JSON.stringify({ input: PATCH }) } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
        chunk({}, "tool_calls"),
        usage(500, 30),
        "data: [DONE]\n\n",
      ],
    });
    const tools = [
      {
        type: "function" as const,
        name: "exec_command",
        description: "Run",
        parameters: { type: "object", properties: { cmd: { type: "string" } } },
        strict: false,
      },
      {
        type: "custom" as const,
        name: "apply_patch",
        description: "Edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.",
        format: { type: "grammar" as const, syntax: "lark" as const, definition: "start: begin_patch hunk+ end_patch" },
      },
      { type: "web_search" as const },
    ];
    upstream.next = script();
    const final = await openai().responses.stream({ model: "gpt-chat", input: "add a file", tools }).finalResponse();
    expect(final.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call", "custom_tool_call"]);
    expect((final.output[0] as any).summary).toEqual([{ type: "summary_text", text: "Need a new file." }]);
    expect(final.output[2]).toMatchObject({ type: "function_call", call_id: "call_1", name: "exec_command", arguments: '{"cmd":"ls"}' });
    expect(final.output[3]).toMatchObject({ type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: PATCH });
    const sent = seenJson();
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(["exec_command", "apply_patch"]); // web_search cannot run on chat
    expect(sent.tools[1].function.parameters.required).toEqual(["input"]);
    expect(sent.tools[1].function.description).not.toContain("FREEFORM");
    expect(sent.tools[1].function.description).toContain("start: begin_patch hunk+ end_patch");
    upstream.next = script();
    const raw = await (await post({ model: "gpt-chat", input: "add a file", tools, stream: true })).text();
    const evs = checkResponsesStream(raw);
    expect(evs.at(-1)!.data.type).toBe("response.completed");
    expect(evs.at(-1)!.data.response.usage.input_tokens).toBe(500);
  });

  test("Codex's turn 2: history items become chat messages (reasoning back as reasoning_content, wrapped patch, tool outputs)", async () => {
    upstream.next = { chunks: [chunk({ content: "Done." }), chunk({}, "stop"), "data: [DONE]\n\n"] };
    await openai().responses.create({
      model: "gpt-chat",
      store: false,
      include: ["reasoning.encrypted_content"],
      tools: [
        { type: "custom", name: "apply_patch" },
        {
          type: "namespace",
          name: "multi_agent_v1",
          description: "",
          tools: [{ type: "function", name: "spawn_agent", parameters: { type: "object", properties: {} } }],
        } as any,
      ],
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "You are Codex." }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "<environment_context/>" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Add hello.txt" }] },
        { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Need a new file." }], encrypted_content: null } as any,
        {
          type: "message",
          role: "assistant",
          id: "msg_1",
          status: "completed",
          content: [{ type: "output_text", text: "Adding it.", annotations: [] }],
        } as any,
        { type: "custom_tool_call", id: "ctc_1", status: "completed", call_id: "call_00", name: "apply_patch", input: PATCH } as any,
        { type: "function_call", call_id: "call_01", name: "spawn_agent", namespace: "multi_agent_v1", arguments: "{}" } as any,
        { type: "custom_tool_call_output", call_id: "call_00", output: "Exit code: 0" } as any,
        {
          type: "function_call_output",
          call_id: "call_01",
          output: [
            { type: "input_text", text: "spawned" },
            { type: "input_image", image_url: "data:image/png;base64,AAA", detail: "original" },
          ],
        } as any,
      ],
    });
    const m = seenJson().messages;
    expect(m[0]).toEqual({ role: "system", content: "You are Codex." });
    expect(m[1].role).toBe("user");
    expect(m[1].content).toEqual([
      { type: "text", text: "<environment_context/>" },
      { type: "text", text: "Add hello.txt" },
    ]);
    expect(m[2]).toEqual({
      role: "assistant",
      content: "Adding it.",
      reasoning_content: "Need a new file.",
      tool_calls: [
        { id: "call_00", type: "function", function: { name: "apply_patch", arguments: JSON.stringify({ input: PATCH }) } },
        { id: "call_01", type: "function", function: { name: "multi_agent_v1__spawn_agent", arguments: "{}" } },
      ],
    });
    expect(m[3]).toEqual({ role: "tool", tool_call_id: "call_00", content: "Exit code: 0" });
    expect(m[4]).toEqual({ role: "tool", tool_call_id: "call_01", content: "spawned" });
    expect(m[5]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "[output of tool call_01]" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAA", detail: "high" } },
      ],
    });
  });

  test("the namespaced call comes back with its namespace; convert_to_messages is an alias of api: openai-chat", async () => {
    upstream.next = {
      chunks: [
        chunk({ tool_calls: [{ index: 0, id: "c9", type: "function", function: { name: "multi_agent_v1__spawn_agent", arguments: "{}" } }] }),
        chunk({}, "tool_calls"),
        "data: [DONE]\n\n",
      ],
    };
    const r = await openai().responses.create({
      model: "gpt-alias",
      input: "go",
      tools: [{ type: "namespace", name: "multi_agent_v1", description: "", tools: [{ type: "function", name: "spawn_agent", parameters: {} }] } as any],
    });
    expect(r.output[0]).toMatchObject({ type: "function_call", name: "spawn_agent", namespace: "multi_agent_v1", call_id: "c9" });
  });

  test("a length stop is response.incomplete (max_output_tokens); a cut stream is response.failed", async () => {
    upstream.next = { chunks: [chunk({ content: "Half" }), chunk({}, "length"), "data: [DONE]\n\n"] };
    const r = await openai().responses.create({ model: "gpt-chat", input: "x", max_output_tokens: 5 });
    expect([r.status, r.incomplete_details?.reason]).toEqual(["incomplete", "max_output_tokens"]);
    expect(seenJson().max_tokens).toBe(5);
    upstream.next = { chunks: [chunk({ content: "Half an ans" })] };
    const raw = await (await post({ model: "gpt-chat", input: "x", stream: true })).text();
    const evs = checkResponsesStream(raw);
    expect(evs.at(-1)!.data.type).toBe("response.failed");
    expect(evs.at(-1)!.data.response.error.code).toBe("server_error");
  });
});

describe("errors a Responses client acts on", () => {
  test("stateful fields are refused naming them; the upstream is not called", async () => {
    const before = upstream.seen.length;
    for (const [field, body] of [
      ["store", { store: true }],
      ["previous_response_id", { previous_response_id: "resp_1" }],
      ["background", { background: true }],
    ] as const) {
      const r = await post({ model: "gpt-chat", input: "x", ...body });
      const e = ((await r.json()) as any).error;
      expect([r.status, e.param, e.code]).toEqual([400, field, "unsupported_parameter"]);
    }
    expect(upstream.seen.length).toBe(before);
  });

  test("upstream context overflow → 400 context_length_exceeded; 429 → rate_limit_exceeded with the wait; 500 → server_error", async () => {
    upstream.next = {
      status: 400,
      body: JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens." } }),
    };
    let r = await post({ model: "gpt-chat", input: "x" });
    expect([r.status, ((await r.json()) as any).error]).toEqual([400, expect.objectContaining({ code: "context_length_exceeded", param: "input" })]);
    upstream.next = { status: 429, headers: { "retry-after": "20" }, body: JSON.stringify({ error: { message: "Rate limit reached." } }) };
    r = await post({ model: "gpt-chat", input: "x" });
    const e = ((await r.json()) as any).error;
    expect([r.status, e.code, e.message, r.headers.get("retry-after")]).toEqual([
      429,
      "rate_limit_exceeded",
      "Rate limit reached. Please try again in 20s.",
      "20",
    ]);
    upstream.next = { status: 529, body: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) };
    r = await post({ model: "gpt-chat", input: "x" });
    const overloaded = ((await r.json()) as any).error;
    expect([r.status, overloaded.type, JSON.stringify(overloaded).includes("server_is_overloaded")]).toEqual([503, "server_error", false]);
    upstream.next = { status: 500, body: "boom" };
    r = await post({ model: "gpt-chat", input: "x" });
    expect([r.status, ((await r.json()) as any).error.type]).toEqual([500, "server_error"]);
  });
});

describe("other backends", () => {
  test("Anthropic backend: the Responses request reaches it as Anthropic Messages; the answer comes back as a Response", async () => {
    upstream.next = {
      body: anthropicMessage("Bonjour", { input_tokens: 7, output_tokens: 2 }),
    };
    const r = await openai().responses.create({ model: "gpt-claude", instructions: "French.", input: "hello" });
    expect(r.output_text).toBe("Bonjour");
    expect(seen().path).toBe("/v1/messages");
    const body = seenJson();
    expect(body.system).toEqual([{ type: "text", text: "French.", cache_control: { type: "ephemeral" } }]); // breakpoints the client cannot mark
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hello", cache_control: { type: "ephemeral" } }] }]);
  });

  test("a backend that speaks Responses gets the client's bytes unchanged", async () => {
    // the response continued must be one this caller made through the gateway (#23.5)
    upstream.next = {
      body: JSON.stringify({ id: "resp_x", object: "response", status: "completed", output: [], usage: { input_tokens: 2, output_tokens: 1 } }),
    };
    expect((await fetch(`${gw.url}/v1/responses`, { method: "POST", body: `{"model":"gpt-native","input":"first"}` })).status).toBe(200);
    const raw = `{"model":"gpt-native","input":"hi",  "store":true,"previous_response_id":"resp_x"}`;
    upstream.next = {
      body: JSON.stringify({
        id: "resp_up",
        object: "response",
        status: "completed",
        output: [],
        usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
      }),
    };
    const r = await fetch(`${gw.url}/v1/responses`, { method: "POST", body: raw });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).id).toBe("resp_up");
    expect(seen().path).toBe("/v1/responses");
    expect(new TextDecoder().decode(seen().body)).toBe(raw);
  });
});

describe("/v1/responses/input_tokens and /v1/responses/compact", () => {
  test("a converted route counts input tokens locally and refuses compaction; a Responses backend gets both", async () => {
    const before = upstream.seen.length;
    const count = (model: string) =>
      fetch(`${gw.url}/v1/responses/input_tokens`, { method: "POST", body: JSON.stringify({ model, input: "hello ".repeat(400) }) });
    const local = await count("gpt-chat");
    const body = (await local.json()) as any;
    expect([local.status, body.object, body.input_tokens > 300]).toEqual([200, "response.input_tokens", true]);
    const compact = await fetch(`${gw.url}/v1/responses/compact`, { method: "POST", body: JSON.stringify({ model: "gpt-chat", input: "x" }) });
    expect([compact.status, ((await compact.json()) as any).error.code]).toEqual([400, "unsupported_endpoint"]);
    expect(upstream.seen.length).toBe(before);
    upstream.next = { body: JSON.stringify({ object: "response.input_tokens", input_tokens: 11 }) };
    expect(((await (await count("gpt-native")).json()) as any).input_tokens).toBe(11);
    expect(seen().path).toBe("/v1/responses/input_tokens");
    upstream.next = { body: JSON.stringify({ id: "cmp_1", object: "response.compaction", output: [] }) };
    const passed = await fetch(`${gw.url}/v1/responses/compact`, { method: "POST", body: JSON.stringify({ model: "gpt-native", input: "x" }) });
    expect(((await passed.json()) as any).id).toBe("cmp_1");
    expect(seen().path).toBe("/v1/responses/compact");
  });
});

describe("Responses client on an Anthropic backend: thinking across turns", () => {
  const ev = (e: any) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
  const thinkingThenTool = [
    ev({
      type: "message_start",
      message: { id: "msg_t", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: 10, output_tokens: 1 } },
    }),
    ev({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
    ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "I should list files." } }),
    ev({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig-anthropic-1" } }),
    ev({ type: "content_block_stop", index: 0 }),
    ev({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "exec_command", input: {} } }),
    ev({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"cmd":"ls"}' } }),
    ev({ type: "content_block_stop", index: 1 }),
    ev({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 9 } }),
    ev({ type: "message_stop" }),
  ];
  const tools = [{ type: "function" as const, name: "exec_command", parameters: { type: "object", properties: { cmd: { type: "string" } } }, strict: false }];

  test("the thinking signature rides in encrypted_content and comes back as the turn's first block; without it, thinking is off", async () => {
    upstream.next = { chunks: thinkingThenTool };
    const first = await openai()
      .responses.stream({ model: "gpt-claude", input: "list", tools, reasoning: { effort: "medium" }, include: ["reasoning.encrypted_content"] })
      .finalResponse();
    const reasoning = first.output[0] as any;
    expect(reasoning.type).toBe("reasoning");
    expect(reasoning.encrypted_content).toStartWith("gw2.");
    expect(JSON.stringify(first)).not.toContain("sig-anthropic-1"); // only inside the signed envelope
    expect(seenJson().thinking?.type).toBe("enabled");
    const history = [{ role: "user", content: "list" }, ...first.output, { type: "function_call_output", call_id: "toolu_1", output: "a.txt" }];
    upstream.next = {
      body: anthropicMessage("a.txt", { input_tokens: 5, output_tokens: 2 }, "msg_2"),
    };
    await openai().responses.create({ model: "gpt-claude", input: history as any, tools, reasoning: { effort: "medium" } });
    const sent = seenJson();
    const assistant = sent.messages.find((m: any) => m.role === "assistant");
    expect(assistant.content[0]).toEqual({ type: "thinking", thinking: "I should list files.", signature: "sig-anthropic-1" });
    expect(sent.thinking?.type).toBe("enabled");
    // the same history with the reasoning item's text changed: the state is dropped, and so is thinking
    const forged = history.map((i: any) => (i.type === "reasoning" ? { ...i, summary: [{ type: "summary_text", text: "Something else." }] } : i));
    upstream.next = {
      body: anthropicMessage("ok", { input_tokens: 5, output_tokens: 2 }, "msg_3"),
    };
    await openai().responses.create({ model: "gpt-claude", input: forged as any, tools, reasoning: { effort: "medium" } });
    const again = seenJson();
    expect(again.messages.find((m: any) => m.role === "assistant").content[0].type).toBe("tool_use");
    expect(again.thinking).toBeUndefined();
  });
});
