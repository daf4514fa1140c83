// The byte-level input estimate token reservations use (#25): never below the parsed estimate for text, images
// and documents counted as such where the APIs carry them, text dressed as base64 counted in full, and any
// bytes (cut, malformed) handled without throwing.
import { describe, expect, test } from "bun:test";
import { estimateInputTokens, estimateInputTokensFromBytes } from "../../src/convert";

const bytes = (o: unknown) => new TextEncoder().encode(typeof o === "string" ? o : JSON.stringify(o));
const PNG = `iVBORw0KGgo${"A".repeat(200_000)}`;
const PDF = `JVBERi0xLjQK${"B".repeat(200_000)}`;

describe("text", () => {
  const words = ["hello", "world", "é", "中文", "\n", '"quoted"', "\\", "tab\t", "emoji 🐙", "{json}"];
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(Math.random() * words.length)]).join(" ");
  test("property: at least the parsed estimate, for chat, Anthropic and Responses bodies with tools", () => {
    for (let i = 0; i < 300; i++) {
      const messages = Array.from({ length: 1 + (i % 7) }, (_, j) => ({ role: j % 2 ? "assistant" : "user", content: text(1 + ((i * 7 + j) % 300)) }));
      const tools = i % 3 ? undefined : [{ type: "function", function: { name: "f", description: text(20), parameters: { type: "object" } } }];
      for (const body of [
        { model: "m", messages, tools },
        { model: "m", max_tokens: 10, system: text(30), messages },
        {
          model: "m",
          instructions: text(10),
          input: messages.map((m) => ({ type: "message", role: m.role, content: [{ type: "input_text", text: m.content }] })),
        },
      ]) {
        expect(estimateInputTokensFromBytes(bytes(body))).toBeGreaterThanOrEqual(estimateInputTokens(body));
      }
    }
  });
  test("non-Latin text counts by its bytes (closer to real counts than 4 characters a token)", () => {
    const body = { model: "m", messages: [{ role: "user", content: "你好世界".repeat(1000) }] };
    expect(estimateInputTokensFromBytes(bytes(body))).toBeGreaterThan(3000);
  });
});

describe("payloads", () => {
  test("an image in an OpenAI data URL, an Anthropic base64 source or a Responses input_image counts as one image", () => {
    const openai = { model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] }] };
    const anthropic = {
      model: "m",
      max_tokens: 1,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] }],
    };
    const responses = { model: "m", input: [{ role: "user", content: [{ type: "input_image", image_url: `data:image/png;base64,${PNG}` }] }] };
    for (const body of [openai, anthropic, responses]) {
      const n = estimateInputTokensFromBytes(bytes(body));
      expect([n > 1600, n < 1700]).toEqual([true, true]);
    }
  });
  test("a base64 PDF document counts as a document (three images)", () => {
    const doc = {
      model: "m",
      max_tokens: 1,
      messages: [{ role: "user", content: [{ type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF } }] }],
    };
    const n = estimateInputTokensFromBytes(bytes(doc));
    expect([n > 4800, n < 4900]).toEqual([true, true]);
  });
  test("the same bytes as text count in full: dressing text as base64 does not make it cheaper", () => {
    for (const content of [`data:image/png;base64,${PNG}`, PNG]) {
      const body = { model: "m", messages: [{ role: "user", content }] };
      expect(estimateInputTokensFromBytes(bytes(body))).toBeGreaterThan(200_000 / 3.5);
    }
    const wrongKey = { model: "m", messages: [{ role: "user", content: [{ type: "text", text: PNG, data2: PNG }] }] };
    expect(estimateInputTokensFromBytes(bytes(wrongKey))).toBeGreaterThan(400_000 / 3.5);
  });
});

test("a text full of payload markers is counted in full, and read once (not once per marker)", () => {
  const text = ";base64,".repeat(250_000) + '"data": "'.repeat(10); // 2 MB of markers in one string
  const n = estimateInputTokensFromBytes(bytes({ model: "m", messages: [{ role: "user", content: text }] }));
  expect(n).toBeGreaterThan(2_000_000 / 3.5);
});

test("any bytes: cut anywhere, malformed or empty, a count and no exception", () => {
  const body = bytes({
    model: "m",
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG.slice(0, 5000)}` } }] }],
  });
  for (let i = 0; i < 400; i++) {
    const cut = body.subarray(0, Math.floor(Math.random() * body.length));
    expect(estimateInputTokensFromBytes(cut)).toBeGreaterThanOrEqual(0);
  }
  expect(estimateInputTokensFromBytes(new Uint8Array(0))).toBe(0);
  expect(estimateInputTokensFromBytes(bytes('"data": "'))).toBeGreaterThan(0);
});
