// Protocol conversion engines.
export { ConversionEngine, type ConversionOptions } from "./conversion-engine";
export { ChatFromMessagesEngine, ChatFromResponsesEngine, MessagesFromChatEngine, ResponsesFromChatEngine, type ChatFromMessagesOptions } from "./named";
export type { BackendHalf, ClientHalf, HalfOptions, HubCall } from "./halves/types";
export { BACKEND_APIS, HALVES, type ApiHalves } from "./halves/registry";
export { converterStage, type StreamConverter } from "./event-stream";
export { ThinkingFilterEngine } from "./thinking-filter";
export { GeminiStateFilterEngine } from "./gemini-state-filter";
export { ApiSwitchEngine } from "./api-switch";
export { ProfileSchema, profileFromConfig, type ProfileConfig } from "./config";
