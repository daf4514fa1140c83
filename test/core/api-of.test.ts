// Every request format names its API and protocol family in one table (no prefix tests), so a new format
// (Gemini's, say) cannot be taken for Anthropic's by its spelling.
import { expect, test } from "bun:test";
import { API_FORMATS, apiOf, protocolOf, type ApiFormat } from "../../src/core";

test("each format's API and protocol family", () => {
  const formats = API_FORMATS;
  expect(formats.map((f) => [f, apiOf(f), protocolOf(f)])).toEqual([
    ["openai.chat", "openai-chat", "openai"],
    ["openai.responses", "openai-responses", "openai"],
    ["openai.responses.input_tokens", "openai-responses", "openai"],
    ["openai.responses.compact", "openai-responses", "openai"],
    ["openai.responses.item", "openai-responses", "openai"],
    ["anthropic.messages", "anthropic-messages", "anthropic"],
    ["anthropic.count_tokens", "anthropic-messages", "anthropic"],
    ["gemini.generate", "google-gemini", "google"],
    ["gemini.stream", "google-gemini", "google"],
    ["gemini.count_tokens", "google-gemini", "google"],
  ]);
  expect(() => apiOf("vertex.predict" as ApiFormat)).not.toThrow();
  expect(apiOf("vertex.predict" as ApiFormat)).toBeUndefined(); // an unknown format is no API's, by no prefix test
});
