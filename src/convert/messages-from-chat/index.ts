// Serving Anthropic Messages from an OpenAI Chat Completions backend.
export { messagesToChatRequest, thinkingEffort, type MessagesContext } from "./request";
export { chatToMessagesResponse, mapStopReason, reasoningOf } from "./response";
export { ChatToMessagesStream } from "./stream";
export { mapUpstreamErrorBody, contextLengthMessage, type MappedError } from "./errors";
export { mapUsage, type AnthropicUsage } from "./usage";
export { convertMessages, systemText, stripGatewayThinking } from "./messages";
