// Serving Gemini clients (generateContent) from the hub.
export { geminiToHubRequest, type GeminiContext } from "./request";
export { GeminiFromChatStream, usageMetadata, type GeminiFailure, type GeminiFraming } from "./stream";
export { geminiErrorFromHub } from "./errors";
export { ENVELOPE_MARK, isEnvelope, openState, resetEnvelopeWarnings, sealState } from "./envelope";
export { searchQuery, withSearchResults, withSearchFailure, groundingMetadata } from "./grounding";
