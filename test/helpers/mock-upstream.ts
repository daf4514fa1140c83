// A scripted upstream on 127.0.0.1 for tests: records every request and answers with fixed bytes,
// so tests can check that what the client receives is byte-identical to what the upstream sent.
import { gzipSync } from "node:zlib";

/** One request as the upstream received it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** How the upstream answers one request; the default is a canned success in the request's protocol. */
export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** Whole body. */
  body?: string | Uint8Array;
  /** SSE pieces sent one by one, `delayMs` apart. */
  chunks?: string[];
  delayMs?: number;
  /** Wait before sending headers. */
  headerDelayMs?: number;
  /** Send the stream chunks, then stall forever (never close). */
  hang?: boolean;
  /** Send the stream chunks, then destroy the connection mid-stream. */
  abortAfterChunks?: boolean;
  /** gzip the body when the client accepts it. */
  gzip?: boolean;
}

/** Canned OpenAI non-stream body. */
export const OPENAI_BODY = `{"id":"chatcmpl-up1","object":"chat.completion","created":1700000000,"model":"up-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hi from upstream \\u00e9\\u4e2d"},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}`;
/** Canned OpenAI stream chunks (odd spacing kept on purpose: pass-through must not normalize it). */
export const OPENAI_CHUNKS = [
  `data: {"id":"chatcmpl-up2","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`,
  `data: {"id":"chatcmpl-up2","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n`,
  `data:{"id":"chatcmpl-up2","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}\n\n`,
  `: keep-alive comment\n\n`,
  `data: {"id":"chatcmpl-up2","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`,
  `data: {"id":"chatcmpl-up2","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n`,
  `data: [DONE]\n\n`,
];
/** Canned Anthropic non-stream body. */
export const ANTHROPIC_BODY = `{"id":"msg_up1","type":"message","role":"assistant","model":"up-model","content":[{"type":"text","text":"Hi from upstream é中"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":4}}`;
/** Canned Anthropic stream events. */
export const ANTHROPIC_CHUNKS = [
  `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_up2","type":"message","role":"assistant","model":"up-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n`,
  `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
  `event: ping\ndata: {"type": "ping"}\n\n`,
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n`,
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}\n\n`,
  `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`,
  `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n`,
  `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const encoder = new TextEncoder();

/** Starts the scripted upstream; `script` decides each answer (default: canned success). */
export function startMockUpstream(script: (req: SeenRequest, json: any) => Script = () => ({})) {
  const seen: SeenRequest[] = [];
  const aborted: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    development: false,
    async fetch(req) {
      const url = new URL(req.url);
      const body = new Uint8Array(await req.arrayBuffer());
      const seenReq: SeenRequest = { method: req.method, path: url.pathname + url.search, headers: Object.fromEntries(req.headers), body };
      seen.push(seenReq);
      let json: any;
      try {
        json = JSON.parse(new TextDecoder().decode(body));
      } catch {}
      const s = script(seenReq, json);
      if (s.headerDelayMs) await sleep(s.headerDelayMs);
      const anthropic = url.pathname.includes("/messages");
      const stream = json?.stream === true;
      const status = s.status ?? 200;
      if (!stream || s.body !== undefined) {
        let payload: string | Uint8Array = s.body ?? (url.pathname.endsWith("count_tokens") ? `{"input_tokens":42}` : anthropic ? ANTHROPIC_BODY : OPENAI_BODY);
        const headers: Record<string, string> = { "content-type": "application/json", "x-upstream": "yes", "set-cookie": "upstream=1", ...s.headers };
        if (s.gzip && (req.headers.get("accept-encoding") ?? "").includes("gzip")) {
          payload = gzipSync(typeof payload === "string" ? encoder.encode(payload) : payload);
          headers["content-encoding"] = "gzip";
        }
        return new Response(payload, { status, headers });
      }
      const chunks = s.chunks ?? (anthropic ? ANTHROPIC_CHUNKS : OPENAI_CHUNKS);
      const id = seen.length;
      let i = 0;
      const rs = new ReadableStream<Uint8Array>(
        {
          async pull(ctrl) {
            if (i > 0 && s.delayMs) await sleep(s.delayMs);
            if (i < chunks.length) return ctrl.enqueue(encoder.encode(chunks[i++]!));
            if (s.hang) return new Promise<void>(() => {});
            if (s.abortAfterChunks) return ctrl.error(new Error("upstream died"));
            ctrl.close();
          },
          cancel() {
            aborted.push(String(id));
          },
        },
        { highWaterMark: 0 },
      );
      req.signal.addEventListener("abort", () => aborted.push(`signal:${id}`));
      return new Response(rs, { status, headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...s.headers } });
    },
  });
  return { server, url: `http://127.0.0.1:${server.port}`, seen, aborted, stop: () => server.stop(true) };
}

/** The canned stream chunks joined, as the client should receive them byte for byte. */
export const joined = (chunks: string[]) => chunks.join("");

/** A scripted upstream whose next answer a test sets in `next` (used once; then the canned answer again). */
export function startScriptedUpstream() {
  const holder: { next: Script | undefined } = { next: undefined };
  const upstream = startMockUpstream(() => {
    const s = holder.next ?? {};
    holder.next = undefined;
    return s;
  });
  const scripted = upstream as typeof upstream & { next: Script | undefined };
  Object.defineProperty(scripted, "next", { set: (s: Script | undefined) => (holder.next = s), get: () => holder.next }); // what the upstream answers next
  return scripted;
}

/** An Anthropic answer to "hi" whose usage reports 100 fresh input tokens, `read` read from and `write` written to the prompt cache, and 5 output tokens. */
export function anthropicCachedAnswer(read: number, write: number): string {
  return JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: { input_tokens: 100, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: 5 },
  });
}
