// Serving the OpenAI Responses API from an OpenAI Chat Completions backend.
export { responsesFromChatRequest, type ResponsesContext } from "./request";
export { ResponsesFromChatStream, chunkFailure, type ResponsesFailure } from "./stream";
export { ResponsesTools, unwrapCustomInput, type ToolMeaning } from "./tools";
export { responsesUsage, type ResponsesUsage } from "./usage";
