// Serving OpenAI Chat Completions (and, through it, Anthropic Messages) from an OpenAI Responses backend.
export { chatToResponsesRequest, type ChatToResponsesContext } from "./request";
export { ChatFromResponsesStream, chatFromResponse, chatUsageOf, chatErrorOf } from "./stream";
