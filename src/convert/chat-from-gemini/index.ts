// Serving the hub from a Gemini backend (generateContent).
export { hubToGeminiRequest, SKIP_SIGNATURE, type GeminiBackendContext } from "./request";
export { ChatFromGeminiStream, hubUsageOf } from "./stream";
export { hubErrorOfGemini } from "./errors";
export { geminiSchema } from "./parts";
export { decodeGeminiState, encodeGeminiState, type GeminiState } from "./state";
