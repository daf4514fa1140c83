// Serving OpenAI Chat Completions from an Anthropic Messages backend.
export { chatToMessagesRequest, type ChatContext } from "./request";
export { messagesToChatResponse, mapChatUsage, mapFinishReason } from "./response";
export { MessagesToChatStream } from "./stream";
export { mapAnthropicError, type MappedChatError } from "./errors";
