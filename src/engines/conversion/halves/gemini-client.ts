// Gemini clients (@google/genai, Gemini CLI) served from the hub: generateContent and streamGenerateContent
// converted (convert/gemini-from-chat), countTokens estimated locally, errors as google.rpc.Status. A whole
// answer goes through the same machine as a stream, so both end in the same answer object.
import { GatewayError, streamFailure, type LLMRequest, type LLMResponse } from "../../../core";
import {
  GeminiFromChatStream,
  estimateInputTokensFromBytes,
  geminiErrorFromHub,
  geminiToHubRequest,
  searchQuery,
  withSearchFailure,
  withSearchResults,
  type GeminiContext,
} from "../../../convert";
import { geminiCall, geminiErrorBody, rpcStatus } from "../../../protocols/google-gemini";
import type { HubRequest } from "../../../protocols/openai-chat/hub";
import { SearchUnavailable, webSearch, type SearchConfig } from "../../web-search";
import type { StreamConverter } from "../event-stream";
import { convertedError, jsonAnswer, readErrorBody } from "../read-all";
import { wholeThroughMachine } from "./answer-machine";
import type { ClientHalf, HalfOptions } from "./types";

/** One Gemini exchange: the request's context and the machine that writes the client's events. */
interface GeminiState {
  ctx: GeminiContext;
  machine: GeminiFromChatStream;
  array: boolean;
}

/** The Gemini client half. */
export function geminiClient(opts: HalfOptions): ClientHalf<GeminiState> {
  return {
    api: "google-gemini",
    formats: ["gemini.generate", "gemini.stream"],
    name: "convert chat → google-gemini",
    own: (req) => (req.format === "gemini.count_tokens" ? countTokens(req) : undefined),
    request(req) {
      const call = geminiCall(req.path);
      const profile = { ...opts.profile, webSearch: opts.search !== undefined }; // googleSearch runs on the search service
      const converted = geminiToHubRequest(req.body.json(), call.model, req.format === "gemini.stream", profile);
      const ctx: GeminiContext = { ...converted.ctx, requestId: req.ctx.requestId };
      const array = req.format === "gemini.stream" && !/[?&]alt=sse(&|$)/.test(req.path); // no alt=sse: one JSON array
      return { body: converted.body, state: { ctx, machine: new GeminiFromChatStream(ctx, array ? "array" : "sse"), array } };
    },
    prepare: (body, state, req) => (state.ctx.googleSearch && opts.search ? searchFirst(body, state.ctx, opts.search, req) : Promise.resolve(body)),
    streams: (state) => state.ctx.stream,
    error: (res, state) => errorAnswer(res, state.ctx),
    converter: (state) => streamConverter(state.machine),
    whole: (res, state) =>
      wholeThroughMachine(
        res,
        state.machine,
        state.ctx.stream,
        (e) => failWith(state.machine, e),
        () => finalAnswer(state.machine),
      ),
    gathered: (_events, state) => finalAnswer(state.machine),
    finish(res, state) {
      if (state.array && res.stream) res.headers.set("content-type", "application/json; charset=UTF-8");
      return res;
    },
  };
}

/**
 * Google Search on the gateway's search service: the query searched, its results (or why there are none) put before
 * the model, and kept for the answer's groundingMetadata.
 */
async function searchFirst(body: Record<string, any>, ctx: GeminiContext, search: SearchConfig, req: LLMRequest): Promise<Record<string, any>> {
  const query = searchQuery(body as HubRequest);
  if (!query) throw new GatewayError("invalid_request", "googleSearch needs a question in the last user turn", { code: "INVALID_ARGUMENT" });
  req.ctx.webSearches = (req.ctx.webSearches ?? 0) + 1; // the access line's web_searches and octollm_web_searches_total
  try {
    const results = await webSearch(search, query, { signal: req.signal });
    ctx.grounding = { query, results };
    return withSearchResults(body as HubRequest, query, results);
  } catch (err) {
    const e = SearchUnavailable.of(err);
    return withSearchFailure(body as HubRequest, query, e.code, e.message);
  }
}

/** countTokens: the byte-level estimate the limits use (images counted as images), in Gemini's shape. */
function countTokens(req: LLMRequest): LLMResponse {
  const total = Math.max(1, estimateInputTokensFromBytes(req.body.bytesOut()));
  return jsonAnswer(200, { totalTokens: total, promptTokensDetails: [{ modality: "TEXT", tokenCount: total }] });
}

/** The answer the machine ended with, as a non-streaming client's answer (a failure as its error). */
function finalAnswer(machine: GeminiFromChatStream): LLMResponse {
  const f = machine.failure;
  if (f) return jsonAnswer(f.code, { error: { code: f.code, message: f.message, status: f.status } });
  return jsonAnswer(200, machine.final!);
}

function streamConverter(machine: GeminiFromChatStream): StreamConverter {
  return {
    push: (e) => machine.push(e),
    end: () => machine.end(),
    fail: (err) => {
      const e = streamFailure(err); // an upstream that broke or went quiet: Gemini's clients retry UNAVAILABLE
      const code = e.status >= 500 ? 503 : e.status;
      return machine.fail({ code, status: rpcStatus(code), message: e.message });
    },
    ping: () => machine.ping(),
    get done() {
      return machine.done;
    },
    get usage() {
      return machine.done ? machine.tokenUsage : undefined;
    },
  };
}

/** An error an upstream sent as a 200, as the stream's error. */
function failWith(machine: GeminiFromChatStream, e: Record<string, any>): string {
  return machine.fail({ code: 500, status: "INTERNAL", message: String(e.message ?? "upstream error").slice(0, 2000) });
}

/** An upstream error (OpenAI's shape, the upstream's status) as the google.rpc.Status a Gemini client acts on. */
async function errorAnswer(res: LLMResponse, ctx: GeminiContext): Promise<LLMResponse> {
  const err = geminiErrorFromHub(await readErrorBody(res), res.status, res.headers.get("retry-after"));
  const out = jsonAnswer(err.status, geminiErrorBody(err, ctx.requestId));
  for (const [k, v] of Object.entries(err.headers ?? {})) out.headers.set(k, v);
  return convertedError(out, res);
}
