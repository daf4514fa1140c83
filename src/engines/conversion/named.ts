// The conversions between the first three APIs under their own names, for library users who compose engines by
// hand (the seed example's MessagesFromChatEngine): each is the ConversionEngine with its two APIs.
import type { Engine } from "../../core";
import type { BackendProfile } from "../../convert";
import type { SearchConfig } from "../web-search";
import { ConversionEngine } from "./conversion-engine";

/** Options of the chat-from-Anthropic conversion. */
export interface ChatFromMessagesOptions {
  /** max_tokens to send when the client gave none (Anthropic requires it). */
  defaultMaxTokens?: number;
  /** Keep-alive comment interval on converted streams (0: none). */
  pingIntervalMs?: number;
  /** How a json_schema response_format is asked of the backend (default output_config). */
  structuredOutput?: "output_config" | "tool";
}

/** Serves Anthropic Messages clients from an OpenAI Chat Completions backend; other requests pass through. */
export class MessagesFromChatEngine extends ConversionEngine {
  constructor(next: Engine, profile: Partial<BackendProfile> = {}, search?: SearchConfig) {
    super(next, "anthropic-messages", "openai-chat", { profile, search });
  }
}

/** Serves OpenAI Chat Completions clients from an Anthropic Messages backend; other requests pass through. */
export class ChatFromMessagesEngine extends ConversionEngine {
  constructor(next: Engine, opts: ChatFromMessagesOptions = {}) {
    const profile: Partial<BackendProfile> = {};
    if (opts.defaultMaxTokens !== undefined) profile.maxOutputTokens = opts.defaultMaxTokens;
    if (opts.pingIntervalMs !== undefined) profile.pingIntervalMs = opts.pingIntervalMs;
    super(next, "openai-chat", "anthropic-messages", { profile, structuredOutput: opts.structuredOutput });
  }
}

/** Serves OpenAI Responses clients (Codex) from an OpenAI Chat Completions backend; other requests pass through. */
export class ResponsesFromChatEngine extends ConversionEngine {
  constructor(next: Engine, profile: Partial<BackendProfile> = {}) {
    super(next, "openai-responses", "openai-chat", { profile });
  }
}

/** Serves OpenAI Chat Completions clients from an OpenAI Responses backend; other requests pass through. */
export class ChatFromResponsesEngine extends ConversionEngine {
  constructor(next: Engine, profile: Partial<BackendProfile> = {}) {
    super(next, "openai-chat", "openai-responses", { profile });
  }
}
