// Every API's halves of a conversion through the hub: a Record, so a new API does not compile until it has them.
import type { Api } from "../../../core";
import { chatClient } from "./chat-client";
import { geminiBackend } from "./gemini-backend";
import { geminiClient } from "./gemini-client";
import { messagesBackend } from "./messages-backend";
import { messagesClient } from "./messages-client";
import { responsesBackend } from "./responses-backend";
import { responsesClient } from "./responses-client";
import type { BackendHalf, ClientHalf, HalfOptions } from "./types";

/** One API's halves: its clients served from the hub, and the hub served from a backend of it (none for chat: the hub's own API). */
export interface ApiHalves {
  client(opts: HalfOptions): ClientHalf<any>;
  backend?(opts: HalfOptions): BackendHalf<any>;
}

/** The halves of every API. */
export const HALVES: Readonly<Record<Api, ApiHalves>> = {
  "openai-chat": { client: () => chatClient },
  "anthropic-messages": { client: messagesClient, backend: messagesBackend },
  "openai-responses": { client: responsesClient, backend: responsesBackend },
  "google-gemini": { client: geminiClient, backend: geminiBackend },
};

/** The APIs a backend may speak: chat (the hub's own) and those with a backend half. */
export const BACKEND_APIS = (Object.keys(HALVES) as Api[]).filter((api) => api === "openai-chat" || HALVES[api].backend !== undefined);
