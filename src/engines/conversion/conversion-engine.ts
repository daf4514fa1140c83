// One engine for every pair of APIs: a client of one API served by a backend of another, through the hub.
// The client half turns the request into the hub's and the hub's answer into the client's; the backend half
// turns the hub's request into the backend's and its answer back (none when the backend speaks the hub's own
// chat). Errors, streams and whole answers take the same road for every pair (halves.ts, halves/<api>.ts).
import { LazyBody, type Api, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { makeProfile, type BackendProfile } from "../../convert";
import { meteredStream } from "../../protocols";
import type { SearchConfig } from "../web-search";
import { completionChunks, eventsToCompletion } from "./chat-events";
import { convertedHeaders } from "./converted-headers";
import { converterStage } from "./event-stream";
import type { BackendHalf, ClientHalf, HalfOptions } from "./halves/types";
import { HALVES } from "./halves/registry";
import { SSE_HEADERS, jsonAnswer, readAll, withoutQuery } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";
import { sessionKeyOf } from "../balancer/affinity";

type Body = Record<string, any>;

/** What a conversion is made from beyond its two APIs. */
export interface ConversionOptions {
  /** The backend's capability profile (docs/conversion.md). */
  profile?: Partial<BackendProfile>;
  /** The search service for Anthropic's web_search server tool (without one, that tool is refused). */
  search?: SearchConfig;
  /** How a json_schema response_format is asked of an Anthropic backend (default output_config). */
  structuredOutput?: "output_config" | "tool";
}

/** Whether an answer is an event stream. */
function isSse(res: LLMResponse): res is LLMResponse & { stream: NonNullable<LLMResponse["stream"]> } {
  return res.stream !== undefined && (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
}

/** Serves `client`'s requests from `next`, a backend speaking `backend`; requests of other APIs pass untouched. */
export class ConversionEngine implements Engine {
  private readonly client: ClientHalf<unknown>;
  private readonly backend: BackendHalf<{ requestedModel: string }> | undefined;
  private readonly profile: BackendProfile;

  constructor(
    private readonly next: Engine,
    client: Api,
    backend: Api,
    opts: ConversionOptions = {},
  ) {
    if (client === backend) throw new Error(`a ${client} backend serves ${client} clients without conversion`);
    if (backend !== "openai-chat" && !HALVES[backend].backend) throw new Error(`${backend} backends are not supported yet`);
    const half: HalfOptions = { profile: makeProfile(opts.profile), search: opts.search, structuredOutput: opts.structuredOutput };
    this.profile = half.profile;
    this.backend = HALVES[backend].backend?.(half);
    this.client = HALVES[client].client({ ...half, profile: this.backend?.hubProfile(half.profile) ?? half.profile });
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const own = this.client.own?.(req);
    if (own) return own;
    if (!this.client.formats.includes(req.format)) return this.next.process(req);
    const { body: asked, state, answer } = convertRequest(() => this.client.request(req));
    if (answer) return this.finish(answer, state);
    const body = this.client.prepare ? await this.client.prepare(asked, state, req) : asked;
    const call = (hub: Body) => this.hub(req, hub);
    const res = (await this.client.run?.(body, state, call, req)) ?? (await this.respond(await call(body), state));
    return this.finish(res, state);
  }

  private finish(res: LLMResponse, state: unknown): LLMResponse {
    return this.client.finish ? this.client.finish(res, state) : res;
  }

  /**
   * The hub request with the session as `prompt_cache_key` (OpenAI routes a prefix cache by it), when the profile asks
   * for it, the backend speaks OpenAI's chat or Responses API, and the client set none.
   */
  private withCacheKey(req: LLMRequest, hub: Body): Body {
    if (!this.profile.sessionCacheKey || hub.prompt_cache_key !== undefined || (this.backend && this.backend.family !== "openai")) return hub;
    const own = req.format === "openai.responses" ? req.body.field("prompt_cache_key") : undefined; // a Responses client's own key
    const session = typeof own === "string" && own ? own : sessionKeyOf(req);
    return session ? { ...hub, prompt_cache_key: session.slice(0, 64) } : hub;
  }

  /** The hub's answer as the client's. */
  private async respond(res: LLMResponse, state: unknown): Promise<LLMResponse> {
    if (res.status >= 400) return this.client.error(res, state);
    if (!isSse(res)) return this.client.whole(res, state);
    const conv = this.client.converter(state);
    const streams = this.client.streams(state);
    const stream = conv ? res.stream.through(converterStage(conv, streams ? this.profile.pingIntervalMs : 0, this.client.name)) : res.stream;
    if (streams) return { status: 200, headers: new Headers(SSE_HEADERS), stream };
    return convertAnswer(async () => this.client.gathered(await readAll({ ...res, stream }), state)); // a backend that streamed anyway
  }

  /** Sends a hub request to the backend; the answer in the hub's form, streamed or whole as the hub request asked. */
  private async hub(req: LLMRequest, asked: Body): Promise<LLMResponse> {
    const b = this.backend;
    const hub = this.withCacheKey(req, asked);
    const path = withoutQuery(req.path);
    if (!b) return this.next.process({ ...req, format: "openai.chat", path, headers: convertedHeaders(req.headers, "openai"), body: LazyBody.fromValue(hub) });
    const carry = this.client.api !== "openai-chat"; // state for the client half, never for a chat client
    const { body, ctx } = convertRequest(() => b.request(hub, carry));
    const to = b.path?.(hub) ?? path;
    const res = await this.next.process({
      ...req,
      format: b.format,
      path: to,
      headers: convertedHeaders(req.headers, b.family),
      body: LazyBody.fromValue(body),
    });
    if (res.status >= 400) return b.error(res);
    const streams = hub.stream === true;
    if (isSse(res)) {
      const pingMs = streams && !carry ? this.profile.pingIntervalMs : 0; // a client half above pings its own client
      const chunks = res.stream.through(converterStage(b.converter(ctx), pingMs, b.name));
      if (streams) return { status: 200, headers: new Headers(SSE_HEADERS), stream: chunks };
      return jsonAnswer(200, await convertAnswer(async () => eventsToCompletion(await readAll({ ...res, stream: chunks }), ctx.requestedModel)));
    }
    const text = await readAll(res);
    const completion = convertAnswer(() => b.answer(JSON.parse(text), ctx));
    if (!streams) return jsonAnswer(200, completion);
    return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(completionChunks(completion)).body!) }; // a backend that did not stream
  }
}
