// The hub served from an Anthropic Messages backend: chat requests as Anthropic's, its answers, streams and
// errors back as chat's (convert/chat-from-messages).
import { streamFailure, type SseEvent } from "../../../core";
import { ChatFromMessagesStream, chatFromMessagesError, chatFromMessagesRequest, chatFromMessagesResponse, type ChatContext } from "../../../convert";
import { openaiErrorDetail } from "../../../protocols/openai";
import type { StreamConverter } from "../event-stream";
import { convertedError, jsonAnswer, readErrorBody } from "../read-all";
import type { BackendHalf, HalfOptions } from "./types";

/** The Anthropic backend half. */
export function messagesBackend(opts: HalfOptions): BackendHalf<ChatContext> {
  return {
    format: "anthropic.messages",
    family: "anthropic",
    name: "convert anthropic-messages → chat",
    hubProfile: (profile) => ({ ...profile, reasoningState: true }), // it reads Anthropic's own thinking back ("a." states)
    request: (body, carryState) => chatFromMessagesRequest(body, opts.profile.maxOutputTokens || 8192, opts.structuredOutput, carryState),
    async error(res) {
      const mapped = chatFromMessagesError(await readErrorBody(res), res.status);
      return convertedError(jsonAnswer(mapped.status, { error: mapped.openai }), res);
    },
    converter: (state) => streamConverter(new ChatFromMessagesStream(state)),
    answer: (parsed, state) => chatFromMessagesResponse(parsed, state),
  };
}

function streamConverter(machine: ChatFromMessagesStream): StreamConverter {
  return {
    push: (e: SseEvent) => machine.push(e),
    end: () => machine.end(),
    fail: (err) => machine.error(openaiErrorDetail(streamFailure(err))), // the same error as a passed-through stream's
    ping: () => (machine.done ? "" : ": ping\n\n"),
    get done() {
      return machine.done;
    },
    get usage() {
      return machine.usage; // the upstream's own, also when the client did not ask to see it
    },
  };
}
