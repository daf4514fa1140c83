// Serving OpenAI Chat Completions (and, through it, Anthropic Messages) from an OpenAI Responses backend.
export { chatFromResponsesRequest, type ChatFromResponsesContext } from "./request";
export { ChatFromResponsesStream, chatFromResponsesResponse, chatUsageOf, chatErrorOf } from "./stream";
