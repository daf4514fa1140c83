// Token usage found in answers, and the log's levels, formats and redaction.
import { describe, expect, test } from "bun:test";
import { Logger } from "../../src/core";
import { bodyUsage, StreamUsage } from "../../src/protocols";
import { ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS } from "../helpers/mock-upstream";

const enc = new TextEncoder();
const usageOf = (text: string, cuts: number[]) => {
  const u = new StreamUsage();
  const bytes = enc.encode(text);
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    u.feed(bytes.subarray(at, c));
    at = c;
  }
  return u.usage;
};
const randomCuts = (n: number) =>
  [...new Set(Array.from({ length: 1 + Math.floor(Math.random() * 10) }, () => 1 + Math.floor(Math.random() * (n - 1))))].sort((a, b) => a - b);

describe("token usage", () => {
  test("whole bodies of both protocols", () => {
    expect(bodyUsage(enc.encode(OPENAI_BODY))).toEqual({ input: 5, output: 4 });
    expect(
      bodyUsage(enc.encode(`{"content":[{"type":"text","text":"\\"usage\\": no"}],"usage":{"input_tokens":3,"cache_read_input_tokens":10,"output_tokens":7}}`)),
    ).toEqual({ input: 13, output: 7, cacheRead: 10 });
    expect(bodyUsage(enc.encode(`{"choices":[]}`))).toBeUndefined();
    expect(bodyUsage(enc.encode(`not json`))).toBeUndefined();
  });
  test("property: streams of both protocols give the same usage however they are cut, long ones included", () => {
    const filler = Array.from({ length: 600 }, (_, i) => `data: {"choices":[{"index":0,"delta":{"content":"word ${i} "}}],"usage":null}\n\n`).join("");
    const openaiLong = filler + OPENAI_CHUNKS.slice(-2).join("");
    const anthropicLong =
      ANTHROPIC_CHUNKS.slice(0, 3).join("") +
      Array.from(
        { length: 600 },
        (_, i) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w${i} "}}\n\n`,
      ).join("") +
      ANTHROPIC_CHUNKS.slice(3).join("");
    const crlf = OPENAI_CHUNKS.join("").replaceAll("\n", "\r\n");
    // Responses: usage only in the terminal event, whose response object holds the whole output (here 40 KB)
    const output = [{ type: "message", content: [{ type: "output_text", text: "x".repeat(40_000) }] }];
    const responses = [
      `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"r","usage":null}}\n\n`,
      `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"delta":"hi"}\n\n`,
      `event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", sequence_number: 2, response: { id: "r", output, usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 42, total_tokens: 1242 } } })}\n\n`,
    ].join("");
    const responsesShort = responses.replace("x".repeat(40_000), "short");
    for (const [text, want] of [
      [OPENAI_CHUNKS.join(""), { input: 5, output: 2 }],
      [ANTHROPIC_CHUNKS.join(""), { input: 5, output: 2 }],
      [openaiLong, { input: 5, output: 2 }],
      [anthropicLong, { input: 5, output: 2 }],
      [crlf, { input: 5, output: 2 }],
      [responses, { input: 1200, output: 42, cacheRead: 1000 }],
      [responsesShort, { input: 1200, output: 42, cacheRead: 1000 }],
      [filler, undefined],
    ] as const) {
      expect(usageOf(text, [])).toEqual(want);
      for (let i = 0; i < 50; i++) expect(usageOf(text, randomCuts(text.length))).toEqual(want);
    }
  });

  test("a stream cut short: the output so far is estimated from its text in each protocol, and the input from the request", () => {
    const cut = (text: string, found?: { input: number; output: number }) => {
      const u = new StreamUsage(() => 77);
      const bytes = enc.encode(text);
      for (let at = 0; at < bytes.length; at += 97) u.feed(bytes.subarray(at, at + 97));
      return u.cutShort(found ?? u.usage);
    };
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${String(i).padStart(3, "0")} `); // 5 characters each
    const chat = words(40)
      .map((w) => `data: {"choices":[{"index":0,"delta":{"content":"${w}"}}]}\n\n`)
      .join("");
    const toolArgs = `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"path\\":\\"/a\\"}"}}]}}]}\n\n`; // 13 characters, 17 bytes as written (the estimate counts escapes as written)
    const anthropic =
      ANTHROPIC_CHUNKS.slice(0, 3).join("") + // message_start reports 5 tokens in
      words(40)
        .map((w) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${w}"}}\n\n`)
        .join("");
    const responses = words(40)
      .map((w, i) => `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${i},"delta":"${w}"}\n\n`)
      .join("");
    expect(cut(chat)).toEqual({ input: 77, output: 50 }); // 200 characters: 50 tokens; no usage seen, so the request's estimate
    expect(cut(chat + toolArgs)).toEqual({ input: 77, output: 55 });
    expect(cut(anthropic)?.input).toBe(5); // the input the stream did report
    expect(cut(anthropic)?.output).toBeGreaterThanOrEqual(50);
    expect(cut(responses)).toEqual({ input: 77, output: 50 });
    expect(cut(chat, { input: 9, output: 80 })).toEqual({ input: 9, output: 80 }); // never below what was reported
    expect(new StreamUsage(() => 77).cutShort(undefined)).toBeUndefined(); // nothing came back: nothing to estimate
    // a long stream keeps only its head and tail: the estimate scales what they hold to every byte seen
    const long = words(4000)
      .map((w) => `data: {"choices":[{"index":0,"delta":{"content":"${w}"}}]}\n\n`)
      .join("");
    const estimate = cut(long)!.output;
    const exact = (1000 * 5 + 3000 * 6) / 4; // from w1000 on, 6 characters a word
    expect(estimate).toBeGreaterThan(exact * 0.95);
    expect(estimate).toBeLessThan(exact * 1.05);
  });
});

describe("log", () => {
  const lines: string[] = [];
  const logger = new Logger((l) => lines.push(l));
  test("levels, JSON and text, and secrets, URL passwords and bearer tokens hidden", () => {
    logger.format = "json";
    logger.level = "warn";
    logger.setSecrets(["sk-configured-secret", "short"]);
    logger.info("not written");
    logger.warn("upstream said", { error: "key sk-configured-secret rejected", url: "postgres://admin:pa55w0rd@db/x", header: "Bearer abcdef123456" });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "warn", msg: "upstream said", error: "key *** rejected", url: "postgres://admin:***@db/x", header: "Bearer ***" });
    logger.format = "text";
    logger.error("config reload refused", { problems: 2, reason: "file changed" });
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR config reload refused {2}problems=2 reason="file changed"\n$/);
  });
});
