// Responses ⇄ chat converters on their own: the stream machine over every recorded vendor stream, split
// anywhere (property: same bytes out, the Responses grammar holds); freeform-input recovery; request refusals.
import { describe, expect, test } from "bun:test";
import { ResponsesFromChatStream, ResponsesTools, makeProfile, responsesFromChatRequest, unwrapCustomInput } from "../../src/convert";
import { StreamPipeline } from "../../src/core";
import { converterStage } from "../../src/engines";
import * as F from "../fixtures/openai-streams";
import { checkResponsesStream } from "../helpers/responses-grammar";

const ctx = () => ({ requestedModel: "gpt-5.5", tools: new ResponsesTools(64), stream: true, includeEncrypted: false, echo: {}, inputEstimate: () => 7 });

async function convert(text: string, cuts: number[]): Promise<string> {
  const machine = new ResponsesFromChatStream(ctx(), makeProfile());
  const bytes = new TextEncoder().encode(text);
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        c.enqueue(bytes.subarray(at, cut));
        at = cut;
      }
      c.close();
    },
  });
  const conv = { push: (e: any) => machine.push(e), end: () => machine.end(), fail: () => "", ping: () => machine.ping(), done: false };
  Object.defineProperty(conv, "done", { get: () => machine.done });
  const out = await new Response(StreamPipeline.of(src).through(converterStage(conv, 0)).readable()).text();
  return out;
}

/** The stream with what varies per run (ids, times) made equal. */
const norm = (s: string) =>
  s
    .replace(/resp_[A-Za-z0-9]{24}/g, "resp_X")
    .replace(/_[A-Za-z0-9]{24}_/g, "_X_")
    .replace(/"(created|completed)_at":\d+/g, '"$1_at":0');

const STREAMS: [string, string[], string][] = [
  ["TEXT", F.TEXT, "response.completed"],
  ["PARALLEL_TOOLS", F.PARALLEL_TOOLS, "response.completed"],
  ["KIMI (no [DONE], usage in the choice)", F.KIMI, "response.completed"],
  ["NO_INDEX", F.NO_INDEX, "response.completed"],
  ["FINISH_NO_DONE", F.FINISH_NO_DONE, "response.completed"],
  ["MID_ERROR", F.MID_ERROR, "response.failed"],
  ["DONE_NO_FINISH", F.DONE_NO_FINISH, "response.failed"],
  ["TRUNCATED", F.TRUNCATED, "response.failed"],
];

describe("chat stream → Responses events", () => {
  for (const [name, chunks, terminal] of STREAMS) {
    test(`${name}: the grammar holds, ends with ${terminal}, the same bytes however the upstream is split`, async () => {
      const text = chunks.join("");
      const whole = await convert(text, []);
      const evs = checkResponsesStream(whole);
      expect(evs.at(-1)!.data.type).toBe(terminal);
      for (let i = 0; i < 40; i++) {
        const cuts = [...new Set(Array.from({ length: 1 + Math.floor(Math.random() * 10) }, () => 1 + Math.floor(Math.random() * (text.length - 1))))].sort(
          (a, b) => a - b,
        );
        expect(norm(await convert(text, cuts))).toBe(norm(whole));
      }
    });
  }

  test("usage: input includes cached tokens; parallel calls come out whole, in the order they started", async () => {
    const evs = checkResponsesStream(await convert(F.PARALLEL_TOOLS.join(""), []));
    const r = evs.at(-1)!.data.response;
    expect(r.usage).toEqual({
      input_tokens: 900,
      input_tokens_details: { cached_tokens: 800, cache_write_tokens: 0 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 940,
    });
    expect(r.output.map((o: any) => [o.type, o.call_id, o.arguments])).toEqual([
      ["reasoning", undefined, undefined],
      ["message", undefined, undefined],
      ["function_call", "call_a", '{"file_path":"/a"}'],
      ["function_call", "call_b", '{"file_path":"/b"}'],
    ]);
  });
});

describe("freeform input recovered from what a chat model wrote", () => {
  const patch = "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n";
  test.each([
    ["the wrapper", JSON.stringify({ input: patch })],
    ["another lone string property", JSON.stringify({ patch })],
    ["Codex's shell form", JSON.stringify({ command: ["apply_patch", patch] })],
    ["a JSON string", JSON.stringify(patch)],
    ["a double-encoded wrapper", JSON.stringify(JSON.stringify({ input: patch }))],
    ["plain text", patch],
    ["a fenced block", `\`\`\`diff\n${patch}\`\`\``],
    ["chatter around the patch", `Here it is:\n${patch}Done.`],
  ])("%s", (_name, args) => {
    expect(unwrapCustomInput(args, "apply_patch")).toBe(patch);
  });
  test("other tools keep their text; nothing is invented", () => {
    expect(unwrapCustomInput(JSON.stringify({ input: "SELECT 1" }), "sql")).toBe("SELECT 1");
    expect(unwrapCustomInput(JSON.stringify({ a: "x", b: "y" }), "t")).toBe(JSON.stringify({ a: "x", b: "y" }));
    expect(unwrapCustomInput("", "t")).toBe("");
  });
});

describe("Responses request refusals", () => {
  const conv = (body: object): { body: any } => responsesFromChatRequest({ model: "m", input: "x", ...body }, makeProfile(), () => 1); // the hub request as plain JSON
  test("wrong shapes and what needs a store or a file store", () => {
    expect(() => conv({ input: 5 })).toThrow("input must be a string or a list of items");
    expect(() => conv({ model: undefined })).toThrow("model: field required");
    expect(() => conv({ input: [{ type: "item_reference", id: "msg_1" }] })).toThrow("item_reference is not supported");
    expect(() => conv({ input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }] })).toThrow("file_id images");
    expect(() => conv({ input: [{ type: "function_call", call_id: "c", name: "f", arguments: { a: 1 } }] })).toThrow("input[0].arguments must be a string");
    expect(() => conv({ tools: [{ type: "web_search" }], tool_choice: { type: "web_search_preview" } })).toThrow("tool_choice web_search_preview");
  });
  test("profile: store_true ignore serves store: true; hosted_tools reject refuses web_search naming it", () => {
    const withProfile = (body: object, p: object) => responsesFromChatRequest({ model: "m", input: "x", ...body }, makeProfile(p), () => 1);
    expect(withProfile({ store: true }, { storeTrue: "ignore" }).body.messages).toEqual([{ role: "user", content: "x" }]);
    expect(() => withProfile({ tools: [{ type: "function", name: "f", parameters: {} }, { type: "web_search" }] }, { hostedTools: "reject" })).toThrow(
      "tools[1] (web_search) is a tool only OpenAI runs",
    );
  });
  test("tools a client-side tool search found become callable, once each", () => {
    const input = [
      { role: "user", content: "find a tool" },
      { type: "tool_search_call", call_id: "ts1", execution: "client", arguments: { query: "deploy" } },
      {
        type: "tool_search_output",
        call_id: "ts1",
        execution: "client",
        tools: [
          { type: "function", name: "deploy", parameters: {} },
          { type: "function", name: "f", parameters: {} },
        ],
      },
    ];
    const r = conv({
      input,
      tools: [
        { type: "function", name: "f", parameters: {} },
        { type: "tool_search", execution: "client", parameters: {} },
      ],
    }).body;
    expect(r.tools.map((t: any) => t.function.name)).toEqual(["f", "tool_search", "deploy"]);
    expect(r.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "ts1", content: '["deploy","f"]' });
  });
  test("allowed_tools narrows the tools; an empty tools list sends no tool fields (Codex's compaction request)", () => {
    const tools = [
      { type: "function", name: "a", parameters: {} },
      { type: "function", name: "b", parameters: {} },
    ];
    const r = conv({ tools, tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "b" }] } }).body;
    expect([r.tools.map((t: any) => t.function.name), r.tool_choice]).toEqual([["b"], "required"]);
    const none = conv({ tools: [], tool_choice: "auto", parallel_tool_calls: false }).body;
    expect([none.tools, none.tool_choice, none.parallel_tool_calls]).toEqual([undefined, undefined, undefined]);
  });
});
