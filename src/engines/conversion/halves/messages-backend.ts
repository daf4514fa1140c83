// The hub served from an Anthropic Messages backend: chat requests as Anthropic's, its answers, streams and
// errors back as chat's (convert/chat-from-messages).
import { ChatFromMessagesStream, chatFromMessagesError, chatFromMessagesRequest, chatFromMessagesResponse, type ChatContext } from "../../../convert";
import { convertedError, jsonAnswer, readErrorBody } from "../read-all";
import { hubConverter } from "./hub-converter";
import type { BackendHalf, HalfOptions } from "./types";

/** The Anthropic backend half. */
export function messagesBackend(opts: HalfOptions): BackendHalf<ChatContext> {
  return {
    format: "anthropic.messages",
    family: "anthropic",
    name: "convert anthropic-messages → chat",
    hubProfile: (profile) => ({ ...profile, reasoningState: true }), // it reads Anthropic's own thinking back ("a." states)
    request: (body, carryState) =>
      chatFromMessagesRequest(body, opts.profile.maxOutputTokens || 8192, opts.structuredOutput, carryState, opts.profile.autoCache !== false),
    async error(res) {
      const mapped = chatFromMessagesError(await readErrorBody(res), res.status);
      return convertedError(jsonAnswer(mapped.status, { error: mapped.openai }), res);
    },
    converter: (state) => hubConverter(new ChatFromMessagesStream(state)),
    answer: (parsed, state) => chatFromMessagesResponse(parsed, state),
  };
}
