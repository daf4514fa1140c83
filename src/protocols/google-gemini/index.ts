// The Gemini API's wire facts: paths, errors, model lists.
export { googleGemini } from "./codec";
export { GEMINI_VERSIONS, geminiCall, geminiFormat, pathModel, type GeminiCall } from "./path";
export { geminiErrorBody, geminiErrorEvent, rpcStatus } from "./errors";
export { SAME_FIELDS } from "./fields";
