// A backend's capability profile: how an OpenAI-compatible backend differs from the reference, read by
// the converters instead of vendor branches in code (docs/conversion.md).

/** Where a backend wants reasoning switched on. */
export type ReasoningParam =
  | "reasoning_effort"
  | "openrouter"
  | "thinking_object"
  | "enable_thinking"
  | "chat_template_kwargs"
  | "none"
  | "thinking_level"
  | "thinking_budget";

/** What an OpenAI-compatible backend accepts and how it answers. */
export interface BackendProfile {
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Clamp for max_tokens (0: no clamp). */
  maxOutputTokens: number;
  streamUsage: boolean;
  reasoningParam: ReasoningParam;
  /** The efforts the backend accepts; an asked effort is clamped to them (undefined: the backend kind's default). */
  reasoningEfforts?: readonly string[];
  /** OpenAI chat and Responses backends: send the client's session as prompt_cache_key when it set none (default false). */
  sessionCacheKey?: boolean;
  /** Anthropic backends reached by converted clients: place prompt-cache breakpoints (default true). */
  autoCache?: boolean;
  /** Gemini backends, chat clients: a call's thought signature travels in its id (else the next turn sends the skip value). */
  thoughtSignatureInToolId?: boolean;
  /** Gemini budgets: the smallest thinkingBudget sent (undefined: 128 for 2.5 Pro, which cannot stop thinking, else 0). */
  thinkingBudgetMin?: number;
  reasoningHistory: "drop" | "reasoning_content" | "reasoning";
  thinkTags: boolean;
  vision: boolean;
  pdf: boolean;
  toolNameMax: number;
  assistantNullContent: boolean;
  parallelToolCallsParam: boolean;
  topK: boolean;
  /** Drop temperature/top_p: the backend only accepts its fixed value. */
  fixedTemperature: boolean;
  maxStop: number;
  /** Send metadata.user_id hashed as safety_identifier (OpenAI itself). */
  safetyIdentifier: boolean;
  /** Tool calls in streams: buffered and emitted whole (default), or streamed live. */
  toolStreaming: "buffered" | "live";
  /** Keep-alive ping interval on converted streams, in ms (0: none). */
  pingIntervalMs: number;
  /** Keep Anthropic cache_control on system and content parts (OpenRouter and others that honour it). */
  passCacheControl: boolean;
  /** The backend behind is a Responses API: reasoning state in this gateway's gw2 signatures goes back to it (internal). */
  reasoningState: boolean;
  /** Responses clients: store: true refused (reject), or served as if false (ignore). */
  storeTrue: "reject" | "ignore";
  /** Responses clients: hosted tools (web_search, file_search, …) dropped, or refused with a 400 naming them. */
  hostedTools: "drop" | "reject";
  /** How a length stop ends a Responses stream: response.incomplete (OpenAI's way), or response.completed. */
  lengthFinish: "incomplete" | "completed";
  /** The gateway runs Anthropic's web_search server tool itself (a search service is configured). */
  webSearch: boolean;
}

/** The defaults: a generic OpenAI-compatible server. */
export const DEFAULT_PROFILE: BackendProfile = {
  maxTokensField: "max_tokens",
  maxOutputTokens: 0,
  streamUsage: true,
  reasoningParam: "reasoning_effort",
  reasoningHistory: "drop",
  thinkTags: false,
  vision: true,
  pdf: false,
  toolNameMax: 64,
  assistantNullContent: true,
  parallelToolCallsParam: true,
  topK: false,
  fixedTemperature: false,
  maxStop: 4,
  safetyIdentifier: false,
  toolStreaming: "buffered",
  pingIntervalMs: 15_000,
  passCacheControl: false,
  webSearch: false,
  lengthFinish: "incomplete",
  reasoningState: false,
  storeTrue: "reject",
  hostedTools: "drop",
};

/** A profile with the given fields over the defaults. */
export function makeProfile(fields: Partial<BackendProfile> = {}): BackendProfile {
  return { ...DEFAULT_PROFILE, ...fields };
}
