// Chat clients served from the hub: the hub is their own form, so the request goes as it came and the answer
// comes back as the backend half made it; only a stream the client did not ask for is read into one completion.
import type { LLMResponse } from "../../../core";
import { eventsToCompletion } from "../chat-events";
import { jsonAnswer } from "../read-all";
import type { ClientHalf } from "./types";

/** One chat exchange: whether the client streams, and the model it named. */
interface ChatState {
  stream: boolean;
  model: string;
}

/** The chat client half. */
export const chatClient: ClientHalf<ChatState> = {
  api: "openai-chat",
  formats: ["openai.chat"],
  name: "chat",
  request(req) {
    const body = req.body.json<Record<string, any>>();
    return { body, state: { stream: body?.stream === true, model: String(body?.model ?? "") } };
  },
  streams: (state) => state.stream,
  error: async (res) => res, // the backend half wrote it in OpenAI's shape
  converter: () => undefined,
  whole: async (res: LLMResponse) => res,
  gathered: (events, state) => jsonAnswer(200, eventsToCompletion(events, state.model)),
};
