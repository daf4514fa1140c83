// A stream is decoded once, whatever the stages: a chunk rewrite on the backend's side, the conversion to the
// client's API and output moderation read the same events (one SSE parser per stream), and the client gets a
// well-formed stream that went through all three. A pass-through stream is not decoded at all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SseEvent, SseParser, StreamPipeline, splitSse, type EventStage } from "../../src/core";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockModeration } from "../helpers/mock-moderation";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

const chunk = (content: string, finish: string | null = null) =>
  `data: {"id":"chatcmpl-d","object":"chat.completion.chunk","created":1700000000,"model":"up","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
const CHUNKS = [chunk("one "), chunk("two "), chunk("three "), chunk("four "), chunk("", "stop"), "data: [DONE]\n\n"];

let upstream: ReturnType<typeof startMockUpstream>;
let mod: ReturnType<typeof startMockModeration>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startMockUpstream(() => ({ chunks: CHUNKS }));
  mod = startMockModeration();
  gw = startGateway(`
models:
  staged:
    moderation: { url: "${mod.url}/v1/moderations", provider: openai, api_key: sk-mod, window_chars: 8 }
    backends:
      "default:1":
        base_url: "${upstream.url}"
        api: openai-chat
        profile: { ping_interval_ms: 0 }
        stream_chunk_rewrites: { set_keys: { choices.0.delta.content: "rewritten " } }
  plain:
    backends: { "default:1": { base_url: "${upstream.url}" } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  mod.stop();
});

describe("decoded once", () => {
  test("rewrite, conversion and moderation on one stream: one SSE parser", async () => {
    const before = SseParser.made;
    const res = await postJson(gw.url, "/v1/messages", { model: "staged", max_tokens: 50, stream: true, messages: [{ role: "user", content: "go" }] });
    const raw = await res.text();
    expect(SseParser.made - before).toBe(1);
    const evs = checkAnthropicStream(raw);
    const text = evs
      .filter((e) => e.data.type === "content_block_delta")
      .map((e) => e.data.delta.text)
      .join("");
    expect(text).toBe("rewritten ".repeat(5)); // the rewrite ran before the conversion, on every chunk
    expect(mod.calls.length).toBeGreaterThan(1); // moderation saw the converted text in windows
    expect(mod.calls.map((c) => JSON.stringify(c.body)).join("")).toContain("rewritten");
  });

  test("a pass-through stream is not decoded", async () => {
    const before = SseParser.made;
    const res = await postJson(gw.url, "/v1/chat/completions", { model: "plain", stream: true, messages: [{ role: "user", content: "go" }] });
    expect(await res.text()).toBe(CHUNKS.join(""));
    expect(SseParser.made - before).toBe(0);
  });
});

describe("the pipeline's stages", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  const source = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc(CHUNKS.join("")));
        c.close();
      },
    });
  /** An event stage that counts the events it reads and hands them on unchanged. */
  const counting = (name: string, seen: number[]): EventStage => ({
    reads: "events",
    name,
    push: (events) => {
      seen.push(events.length);
      return events;
    },
    end: () => "",
    fail: () => ({ out: "", answered: false }),
    done: false,
  });

  test("describe() lists them in order; events pass from stage to stage without a second parser", async () => {
    const a: number[] = [];
    const b: number[] = [];
    const p = StreamPipeline.of(source()).through(counting("first", a)).through(counting("second", b));
    expect(p.describe()).toBe("source → first (events) → second (events) → client");
    expect(StreamPipeline.of(source()).describe()).toBe("source → client (bytes as they come)");
    const before = SseParser.made;
    const out = await new Response(p.readable()).text();
    expect(SseParser.made - before).toBe(1);
    expect(a).toEqual(b);
    expect(out).toBe(CHUNKS.join("").replace("data:{", "data: {")); // events unchanged: written back as they were
  });

  test("text the gateway wrote splits into events without a parser, each keeping its own text", () => {
    const text = 'event: a\ndata: {"x":1}\n\ndata: [DONE]\n\n: ping\n\n';
    const evs = splitSse(text);
    expect(evs.map((e) => [e.event, e.data])).toEqual([
      ["a", '{"x":1}'],
      [undefined, "[DONE]"],
      [undefined, ""],
    ]);
    expect(evs.map((e) => e.raw).join("")).toBe(text);
    evs[0]!.setJson({ x: 2 });
    expect(evs[0]!.raw).toBeUndefined(); // a changed event is written anew
  });
});

describe("between two converters", () => {
  test("an Anthropic stream converted for a Responses client: the hub's chunks reach the second converter as values, and the client's stream is whole", async () => {
    const up = startMockUpstream(() => ({
      chunks: [
        `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"up","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n`,
        `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
        ...["one ", "two ", "three"].map(
          (t) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${t}"}}\n\n`,
        ),
        `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`,
        `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}\n\n`,
        `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
      ],
    }));
    const two = startGateway(`
models:
  claude: { backends: { "default:1": { base_url: "${up.url}", api: anthropic-messages } } }
`);
    const seen: SseEvent[] = [];
    const ofValue = SseEvent.ofValue;
    SseEvent.ofValue = (value: unknown, event?: string) => {
      const e = ofValue(value, event);
      seen.push(e);
      return e;
    };
    try {
      const before = SseParser.made;
      const res = await postJson(two.url, "/v1/responses", { model: "claude", input: "go", stream: true });
      const raw = await res.text();
      expect(SseParser.made - before).toBe(1); // the upstream's bytes only; the hub's chunks are never parsed
      expect(seen.length).toBeGreaterThanOrEqual(5); // the chat chunks the first converter made, as values
      expect(raw).toContain('"type":"response.completed"');
      expect(raw).toContain('"delta":"two "');
    } finally {
      SseEvent.ofValue = ofValue;
      two.stop();
      up.stop();
    }
  });
});
