// Serving Anthropic Messages from an OpenAI Chat Completions backend.
export { messagesFromChatRequest, thinkingEffort, emitReasoning, sanitizeSchema, type MessagesContext, type WebSearchTool } from "./request";
export { messagesFromChatResponse, mapStopReason, reasoningOf } from "./response";
export { MessagesFromChatStream } from "./stream";
export { messagesFromChatError, inBandErrorStatus, type MappedError } from "./errors";
export { mapUsage, type AnthropicUsage } from "./usage";
export { convertMessages, systemText, stripGatewayThinking, repairToolPairs, mergeUsers, type ChatMessage } from "./messages";
