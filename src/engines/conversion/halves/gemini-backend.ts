// The hub served from a Gemini backend (generateContent): chat requests as Gemini requests, always streamed
// (streamGenerateContent?alt=sse; a client that did not stream gets the stream read into one answer), its events,
// answers and errors back as chat's (convert/chat-from-gemini).
import { formatSse } from "../../../core";
import { ChatFromGeminiStream, EFFORTS, hubErrorOfGemini, hubToGeminiRequest, type GeminiBackendContext } from "../../../convert";
import { pathModel } from "../../../protocols/google-gemini";
import { eventsToCompletion } from "../chat-events";
import { convertedError, jsonAnswer, readErrorBody } from "../read-all";
import { hubConverter } from "./hub-converter";
import type { BackendHalf, HalfOptions } from "./types";

/** The Gemini backend half. */
export function geminiBackend(opts: HalfOptions): BackendHalf<GeminiBackendContext> {
  return {
    format: "gemini.stream",
    family: "google",
    name: "convert google-gemini → chat",
    // the chat form in front of a Gemini backend: efforts as reasoning_effort, unclamped (the Gemini request clamps
    // them by model), the model's signatures kept across turns
    hubProfile: (profile) => ({ ...profile, reasoningParam: "reasoning_effort", reasoningEfforts: EFFORTS, reasoningState: true }),
    path: (hub) => `/v1beta/models/${pathModel(String(hub.model ?? ""))}:streamGenerateContent?alt=sse`, // a name that cannot reach another URL
    request: (body, carryState) => hubToGeminiRequest(body, opts.profile, carryState),
    async error(res) {
      const mapped = hubErrorOfGemini(await readErrorBody(res), res.status);
      const out = jsonAnswer(mapped.status, mapped.body);
      for (const [k, v] of Object.entries(mapped.headers)) out.headers.set(k, v);
      return convertedError(out, res);
    },
    converter: (state) => hubConverter(new ChatFromGeminiStream(state)),
    answer(parsed, state) {
      // an upstream that answered whole (or as one JSON array): through the same machine, read back as one completion
      const machine = new ChatFromGeminiStream(state);
      const events = [...(Array.isArray(parsed) ? parsed : [parsed]).flatMap((a) => machine.answer(a)), ...machine.end()];
      return eventsToCompletion(events.map((e) => formatSse(e)).join(""), state.requestedModel);
    },
  };
}
