// The backend `api` key (#16.1): what validate says about it, and the older convert_to_* spellings.
import { describe, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";

const load = (backend: string) =>
  loadConfigText(`backends:\n  b: { base_url: "http://127.0.0.1:1", ${backend} }\nmodels:\n  m: { backends: { "default:1": { use: b } } }\n`, {});

describe("api", () => {
  test("one API or a list; each API at most once; an unknown one is refused", () => {
    expect(load("api: openai-chat").ok).toBe(true);
    expect(load("api: [openai-responses, openai-chat]").ok).toBe(true);
    const twice = load("api: [openai-chat, openai-chat]");
    expect(twice.ok ? [] : [...new Set(twice.problems.map((p) => p.message))]).toEqual(["lists an API twice"]);
    expect(load("api: gemini").ok).toBe(false);
    expect(load("api: []").ok).toBe(false);
  });

  test("the older keys still work, with a warning naming the preferred spelling; a contradiction is an error", () => {
    const old = load("convert_to_messages: from_chat");
    expect(old.ok).toBe(true);
    if (old.ok) expect((old.warnings ?? []).map((w) => w.message)).toEqual(["convert_to_messages: from_chat is the older spelling of api: openai-chat"]);
    const both = load("convert_to_chat: from_messages, api: openai-chat");
    expect(both.ok ? [] : [...new Set(both.problems.map((p) => p.message))]).toEqual(["conflicts with convert_to_chat (which means api: anthropic-messages)"]);
    const agree = load("convert_to_messages: from_chat, api: openai-chat");
    expect(agree.ok && (agree.warnings ?? [])).toEqual([]);
  });

  test("web_search needs a backend that Anthropic clients are converted for", () => {
    const ws = 'profile: { web_search: { provider: searxng, url: "http://127.0.0.1:9" } }';
    expect(load(`api: openai-chat, ${ws}`).ok).toBe(true);
    expect(load(`api: openai-responses, ${ws}`).ok).toBe(true);
    expect(load(`api: anthropic-messages, ${ws}`).ok).toBe(false);
  });
});
