// Protocol conversion between Anthropic Messages and OpenAI Chat Completions (docs/conversion.md).
export * from "./messages-from-chat";
export { makeProfile, DEFAULT_PROFILE, type BackendProfile, type ReasoningParam } from "./profile";
export { ToolNames, randomBase62, signThinking, isGatewaySignature, parseToolArguments, repairJson, toAnthropicToolId } from "./ids";
export { EFFORTS, DEFAULT_EFFORTS, clampEffort } from "./efforts";
export { estimateInputTokens } from "./count-tokens";
export { estimateInputTokensFromBytes } from "./count-tokens-bytes";
export { isContextOverflow, readContextOverflow, claudeContextMessage } from "./context-errors";
export { resultBlock, resultText, resultBlockText, type SearchResult } from "./web-search";
export * from "./chat-from-messages";
export * from "./responses-from-chat";
export * from "./chat-from-responses";
export * from "./gemini-from-chat";
export * from "./chat-from-gemini";
