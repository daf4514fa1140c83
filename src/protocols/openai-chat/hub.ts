// The hub: the chat form every conversion goes through (docs/conversion.md), as types: the requests a converter
// builds from a client's (Anthropic, Responses), the answers and stream chunks it builds from a backend's, and
// their parts. A converter that builds a hub value builds one of these; what comes from outside (a client's
// request, an upstream's answer, also a chat client's own request) is read defensively as plain JSON first.
// The gateway's own field `reasoning_opaque` carries another API's reasoning state between converters and never
// reaches a real chat backend or a client. Between two converters, chunks travel as events carrying their values.
import { SseEvent } from "../../core";

/** Who speaks a message of a request. */
export type HubRole = "system" | "developer" | "user" | "assistant" | "tool";

/** A text part (with Anthropic's cache mark, for backends that take it through). */
export interface HubTextPart {
  type: "text";
  text: string;
  cache_control?: unknown;
}

/** An image, as a URL or a data: URL. */
export interface HubImagePart {
  type: "image_url";
  image_url: { url: string; detail?: string };
}

/** A file (a PDF) as a data: URL. */
export interface HubFilePart {
  type: "file";
  file: { filename?: string; file_data: string };
}

/** One part of a request message's content. */
export type HubPart = HubTextPart | HubImagePart | HubFilePart;

/** One message of a request; a profile may name its reasoning field differently (`reasoning`), so others ride along. */
export interface HubRequestMessage {
  role: HubRole;
  content?: string | HubPart[] | null;
  name?: string;
  tool_calls?: HubToolCall[];
  /** The call a tool message answers. */
  tool_call_id?: string;
  refusal?: string | null;
  reasoning_content?: string;
  reasoning_opaque?: string;
  [field: string]: unknown;
}

/** A tool the model may call. */
export interface HubTool {
  type: "function";
  function: { name: string; description?: string; parameters?: unknown; strict?: boolean };
}

/** A request in the hub's form; the vendor fields a backend's profile asks for (`thinking`, `chat_template_kwargs`, `top_k`, …) ride along. */
export interface HubRequest {
  model: string;
  messages: HubRequestMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  temperature?: number;
  top_p?: number;
  stop?: string[];
  tools?: HubTool[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  response_format?: { type: "json_object" } | { type: "json_schema"; json_schema: { name: string; schema: unknown; strict?: boolean; description?: string } };
  reasoning_effort?: string;
  [vendor: string]: unknown;
}

/** A call of one of the request's tools. */
export interface HubToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** An answer's message. */
export interface HubMessage {
  role: "assistant";
  content: string | null;
  refusal?: string | null;
  tool_calls?: HubToolCall[];
  /** Visible reasoning (DeepSeek's field; the gateway's name for any API's thinking text). */
  reasoning_content?: string;
  /** Another API's reasoning state: `a.<signature>` (Anthropic) or `r.<encrypted_content>` (Responses). */
  reasoning_opaque?: string;
}

/** Why an answer stopped. */
export type HubFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/** Tokens of an answer; the cache counts are part of `prompt_tokens`. */
export interface HubUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Read from a prompt cache, and written to one (the gateway's field, priced at the cache-write rate; chat clients ignore it). */
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** A whole answer. */
export interface HubCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: { index: number; message: HubMessage; logprobs: null; finish_reason: HubFinishReason }[];
  usage?: HubUsage;
}

/** A piece of a tool call in a stream: the first names it, the rest add to its arguments. */
export interface HubToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

/** What one chunk adds to the answer. */
export interface HubDelta {
  role?: "assistant";
  content?: string | null;
  refusal?: string;
  reasoning_content?: string;
  reasoning_opaque?: string;
  tool_calls?: HubToolCallDelta[];
}

/** One chunk of a streamed answer; the last may carry only the usage (`choices: []`). */
export interface HubChunk {
  id: string;
  object: "chat.completion.chunk";
  /** Seconds since the epoch (left out only where the gateway closes an upstream's stream that left it out). */
  created: number | undefined;
  model: string;
  choices: { index: number; delta: HubDelta; logprobs: null; finish_reason: HubFinishReason | null }[];
  /** null on every chunk but the last when the client asked for the usage (as OpenAI sends it). */
  usage?: HubUsage | null;
}

/** A chunk as its stream event. */
export function hubChunkEvent(chunk: HubChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Writes the chunks of one streamed answer: its id (settable until the first chunk is written), creation time and model. */
export class HubChunkWriter {
  constructor(
    public id: string,
    readonly created: number | undefined,
    readonly model: string,
    /** Write `usage: null` on every chunk (a client that asked for the usage sees it so until the last). */
    private readonly usageNull = false,
  ) {}

  /** A chunk of `delta`, with the finish reason on the last. */
  chunk(delta: HubDelta, finish: HubFinishReason | null = null): string {
    return hubChunkEvent(this.deltaChunk(delta, finish));
  }

  /** The usage-only chunk (`choices: []`) that ends an answer whose client asked for the usage. */
  usage(usage: HubUsage): string {
    return hubChunkEvent(this.usageChunk(usage));
  }

  /** A chunk of `delta` as an event carrying the value: a converter after this one reads it without parsing it. */
  event(delta: HubDelta, finish: HubFinishReason | null = null): SseEvent {
    return SseEvent.ofValue(this.deltaChunk(delta, finish));
  }

  /** The usage-only chunk as an event carrying the value. */
  usageEvent(usage: HubUsage): SseEvent {
    return SseEvent.ofValue(this.usageChunk(usage));
  }

  private deltaChunk(delta: HubDelta, finish: HubFinishReason | null): HubChunk {
    const c: HubChunk = {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (this.usageNull) c.usage = null;
    return c;
  }

  private usageChunk(usage: HubUsage): HubChunk {
    return { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage };
  }
}

/** The `[DONE]` event that ends a chat stream. */
export function hubDoneEvent(): SseEvent {
  return new SseEvent(undefined, "[DONE]");
}

/** An in-stream error in the chat form (`{"error": …}`; no `[DONE]` after it). */
export function hubErrorEvent(error: object): SseEvent {
  return SseEvent.ofValue({ error });
}

/** The event that ends a chat stream. */
export const HUB_DONE = "data: [DONE]\n\n";

/** The JSON of a hub chunk event; undefined for a comment or anything that is not JSON. */
export function chunkJson(e: SseEvent): Record<string, any> | undefined {
  try {
    return e.json();
  } catch {
    return undefined;
  }
}
