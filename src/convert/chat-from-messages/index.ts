// Serving OpenAI Chat Completions from an Anthropic Messages backend.
export { chatFromMessagesRequest, type ChatContext, type StructuredOutput } from "./request";
export { chatFromMessagesResponse, mapChatUsage, mapFinishReason } from "./response";
export { ChatFromMessagesStream } from "./stream";
export { chatFromMessagesError, type MappedChatError } from "./errors";
export { addCacheBreakpoints } from "./auto-cache";
