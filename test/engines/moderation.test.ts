// Moderation pieces on their own: text extraction, the two service clients, and the windowed stream
// (property: however the upstream bytes are split, the client gets the same bytes and the same checks).
import { StreamPipeline } from "../../src/core";
import { describe, expect, test } from "bun:test";
import { formatProblem, loadConfigText } from "../../src/config";
import { answerText, eventText, ModerationStage, OpenAIModerator, requestText, WebhookModerator, type WindowOutcome } from "../../src/engines";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { checkResponsesStream } from "../helpers/responses-grammar";
import { ResponsesFromChatStream, ResponsesTools, makeProfile } from "../../src/convert";
import { SseParser } from "../../src/core";

const serve = (answer: (body: any) => Response) => Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (req) => answer(await req.json()) });

describe("text extraction", () => {
  test("a request's text: system, messages, tool calls and results, the last N characters", () => {
    const anthropic = {
      system: [{ type: "text", text: "SYS" }],
      messages: [
        { role: "user", content: "hello" },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "read", input: { path: "a" } }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t", content: "RESULT" },
            { type: "image", source: {} },
          ],
        },
      ],
    };
    expect(requestText("anthropic.messages", anthropic, 1000)).toBe('SYS\nhello\n{"path":"a"}\nRESULT');
    expect(requestText("anthropic.messages", anthropic, 6)).toBe("RESULT");
    const openai = {
      messages: [
        { role: "system", content: "SYS" },
        { role: "assistant", content: null, tool_calls: [{ function: { arguments: "{}" } }] },
        { role: "tool", content: [{ type: "text", text: "out" }] },
      ],
    };
    expect(requestText("openai.chat", openai, 1000)).toBe("SYS\n{}\nout");
    expect(requestText("openai.chat", { messages: "nonsense" }, 10)).toBe("");
  });
  test("an answer's text and a stream event's text, in both protocols", () => {
    expect(
      answerText("openai.chat", { choices: [{ message: { content: "a", reasoning_content: "r", tool_calls: [{ function: { arguments: '{"x":1}' } }] } }] }),
    ).toBe('r\na\n{"x":1}');
    expect(
      answerText("anthropic.messages", {
        content: [
          { type: "thinking", thinking: "t" },
          { type: "text", text: "a" },
          { type: "tool_use", input: { q: 1 } },
        ],
      }),
    ).toBe('t\na\n{"q":1}');
    expect(eventText("openai.chat", { choices: [{ delta: { content: "x" } }, { delta: { refusal: "y" } }] })).toBe("xy");
    expect(eventText("anthropic.messages", { type: "content_block_delta", delta: { type: "input_json_delta", partial_json: '{"a' } })).toBe('{"a');
    expect(eventText("anthropic.messages", { type: "message_start", message: { content: [] } })).toBe("");
  });
});

describe("service clients", () => {
  test("OpenAI: the service's flag, or score thresholds (which can also let a flagged category pass)", async () => {
    const server = serve(() =>
      Response.json({ results: [{ flagged: true, categories: { violence: true, hate: false }, category_scores: { violence: 0.6, hate: 0.35 } }] }),
    );
    const url = `http://127.0.0.1:${server.port}`;
    expect(await new OpenAIModerator({ url, timeoutMs: 1000 }).check("x")).toEqual({
      flagged: true,
      category: "violence",
      reason: "flagged for violence (0.60)",
    });
    expect(await new OpenAIModerator({ url, timeoutMs: 1000, thresholds: { violence: 0.9 } }).check("x")).toEqual({ flagged: false });
    expect(await new OpenAIModerator({ url, timeoutMs: 1000, thresholds: { violence: 0.9, hate: 0.3 } }).check("x")).toMatchObject({
      flagged: true,
      category: "hate",
    });
    server.stop(true);
  });
  test("answers that cannot be used throw, so the policy decides (fail open or closed)", async () => {
    const bodies = [new Response("not json"), Response.json({ results: [] }), Response.json({ allowed: true }), new Response("x", { status: 502 })];
    let i = 0;
    const server = serve(() => bodies[i++]!);
    const url = `http://127.0.0.1:${server.port}`;
    const subject = { direction: "output" as const, model: "m" };
    await expect(new OpenAIModerator({ url, timeoutMs: 1000 }).check("x")).rejects.toThrow("not a JSON object");
    await expect(new OpenAIModerator({ url, timeoutMs: 1000 }).check("x")).rejects.toThrow("without results");
    await expect(new WebhookModerator({ url, timeoutMs: 1000 }).check("x", subject)).rejects.toThrow('without a boolean "allow"');
    await expect(new WebhookModerator({ url, timeoutMs: 1000 }).check("x", subject)).rejects.toThrow("answered 502");
    server.stop(true);
    await expect(new WebhookModerator({ url, timeoutMs: 1000 }).check("x", subject)).rejects.toThrow("unreachable");
  });
});

const chunk = (text: string) => `data: {"id":"c1","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}}}]}\n\n`;
const WORDS = ["Hello ", "there, ", "this ", "is ", "a ", "perfectly ", "fine ", "answer ", "until ", "BAD ", "shows ", "up."];

/** Runs a moderated stream over `bytes` cut at `cuts`; returns the output and the windows checked. */
async function run(bytes: string, cuts: number[], format: "openai.chat" | "anthropic.messages" | "openai.responses" = "openai.chat", windowChunks = 0) {
  const checked: string[] = [];
  const pieces = [0, ...cuts, bytes.length].slice(1).map((end, i, all) => bytes.slice(i === 0 ? 0 : all[i - 1]!, end));
  const src = new ReadableStream<Uint8Array>({
    start(ctrl) {
      for (const p of pieces) ctrl.enqueue(new TextEncoder().encode(p));
      ctrl.close();
    },
  });
  const check = async (text: string): Promise<WindowOutcome> => {
    checked.push(text);
    return { kind: text.slice(-30).includes("BAD") ? "flag" : "allow" };
  };
  const stage = new ModerationStage({
    format,
    model: "m",
    windowChars: windowChunks ? 1e9 : 12,
    windowChunks,
    holdMs: 0,
    check,
    onFlag: { replacement: "[cut]" },
  });
  const out = await new Response(StreamPipeline.of(src).through(stage).readable()).text();
  return { out, checked };
}

describe("moderated stream", () => {
  test("property: any split of the upstream bytes gives the same output and the same windows", async () => {
    const bytes = WORDS.map(chunk).join("") + "data: [DONE]\n\n";
    const whole = await run(bytes, []);
    expect(whole.out).not.toContain("BAD");
    expect(whole.out.endsWith(`"finish_reason":"content_filter"}]}\n\ndata: [DONE]\n\n`)).toBe(true);
    expect(whole.checked.length).toBeGreaterThan(3);
    for (let i = 0; i < 200; i++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => 1 + Math.floor(Math.random() * (bytes.length - 1))))].sort(
        (a, b) => a - b,
      );
      const got = await run(bytes, cuts);
      expect(got).toEqual(whole);
    }
  });
  test("windows by chunk count: every 3 chunks with text", async () => {
    const bytes = WORDS.slice(0, 7).map(chunk).join("") + "data: [DONE]\n\n";
    const { out, checked } = await run(bytes, [30], "openai.chat", 3);
    expect(out).toBe(bytes);
    expect(checked.map((c) => c.slice(-20))).toEqual(["Hello there, this ", "this is a perfectly ", "is a perfectly fine "]);
  });
  test("a clean answer passes byte for byte (in the SSE writer's form) and its tail is checked at the end", async () => {
    const bytes = WORDS.slice(0, 4).map(chunk).join("") + "data: [DONE]\n\n";
    const { out, checked } = await run(bytes, [5, 50]);
    expect(out).toBe(bytes);
    expect(checked.join("|")).toBe("Hello there, |Hello there, this is ");
  });
  test("Anthropic: a flag before any text closes a stream that has only started, with a valid grammar", async () => {
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const bytes =
      ev("message_start", {
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "m",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 1, output_tokens: 0 },
        },
      }) +
      ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }) +
      ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "this is BAD thinking" } });
    const { out } = await run(bytes, [17], "anthropic.messages");
    const events = checkAnthropicStream(out);
    expect(events.map((e) => e.data.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });
});

describe("moderated Responses stream (Codex)", () => {
  const responsesBytes = () => {
    const machine = new ResponsesFromChatStream(
      { requestedModel: "m", tools: new ResponsesTools(64), stream: true, includeEncrypted: false, echo: {}, inputEstimate: () => 1 },
      makeProfile(),
    );
    const parser = new SseParser();
    const chat = WORDS.map(chunk).join("") + `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;
    return parser
      .push(chat)
      .map((e) => machine.push(e))
      .join("");
  };

  test("a flag mid-answer: the open message is closed as it stood, the replacement follows, response.incomplete (content_filter); any split, same bytes", async () => {
    const bytes = responsesBytes();
    const whole = await run(bytes, [], "openai.responses");
    expect(whole.out).not.toContain("BAD");
    const evs = checkResponsesStream(whole.out);
    const last = evs.at(-1)!.data;
    expect([last.type, last.response.incomplete_details]).toEqual(["response.incomplete", { reason: "content_filter" }]);
    expect(last.response.output.at(-1).content[0].text).toBe("[cut]");
    expect(last.response.output[0].status).toBe("incomplete");
    for (let i = 0; i < 50; i++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => 1 + Math.floor(Math.random() * (bytes.length - 1))))].sort(
        (a, b) => a - b,
      );
      expect(await run(bytes, cuts, "openai.responses")).toEqual(whole);
    }
  });

  test("text of a Responses request, answer and events", () => {
    const body = {
      instructions: "sys",
      input: [
        { role: "user", content: [{ type: "input_text", text: "hi" }] },
        { type: "function_call_output", call_id: "c", output: "out" },
      ],
    };
    expect(requestText("openai.responses", body, 100)).toBe("sys\nhi\nout");
    expect(
      answerText("openai.responses", {
        output: [
          { type: "message", content: [{ type: "output_text", text: "yo" }] },
          { type: "custom_tool_call", input: "patch" },
        ],
      }),
    ).toBe("yo\npatch");
    expect(eventText("openai.responses", { type: "response.output_text.delta", delta: "x" })).toBe("x");
    expect(eventText("openai.responses", { type: "response.created", delta: "x" })).toBe("");
  });
});

describe("config", () => {
  const problems = (yaml: string) => {
    const r = loadConfigText(yaml, {});
    return r.ok ? [] : r.problems.map((p) => formatProblem("c.yaml", p));
  };
  test("incomplete or contradictory settings are reported where they are written, after an org's are laid over the model's", () => {
    expect(
      problems(`
models:
  m:
    moderation: { provider: webhook, thresholds: { hate: 0.5 } }
    backends: { "default:1": { provider: mock } }
  n:
    backends: { "default:1": { provider: mock } }
users:
  acme:
    models:
      n: { moderation: { provider: openai } }
      m: { moderation: { enabled: false } }
`),
    ).toEqual([
      'c.yaml:4:17 models.m.moderation: moderation needs "url"',
      "c.yaml:4:17 models.m.moderation: thresholds and model are settings of provider: openai",
      'c.yaml:11:24 users.acme.models.n.moderation: moderation needs "url"',
    ]);
    expect(problems(`models:\n  m:\n    moderation: { provider: openai, url: "ftp://x" }\n    backends: { "default:1": { provider: mock } }\n`)[0]).toContain(
      "must be an http:// or https:// URL",
    );
  });
});
