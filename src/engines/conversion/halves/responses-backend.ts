// The hub served from an OpenAI Responses backend (models served only there, gpt-5.x-codex): chat requests as
// Responses requests, its answers and streams back as chat's; its errors are in OpenAI's shape already.
import { ChatFromResponsesStream, chatFromResponsesRequest, chatFromResponsesResponse, type ChatFromResponsesContext } from "../../../convert";
import { hubConverter } from "./hub-converter";
import type { BackendHalf, HalfOptions } from "./types";

/** The Responses backend half. */
export function responsesBackend(opts: HalfOptions): BackendHalf<ChatFromResponsesContext> {
  return {
    format: "openai.responses",
    family: "openai",
    name: "convert openai-responses → chat",
    // the chat form in front of a Responses backend: reasoning efforts as reasoning_effort, reasoning state kept
    hubProfile: (profile) => ({ ...profile, reasoningParam: "reasoning_effort", reasoningState: true }),
    request: (body, carryState) => chatFromResponsesRequest(body, opts.profile, carryState),
    error: async (res) => res,
    converter: (state) => hubConverter(new ChatFromResponsesStream(state)),
    answer: (parsed, state) => chatFromResponsesResponse(parsed, state),
  };
}
