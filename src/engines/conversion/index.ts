// Protocol conversion engines.
export { MessagesFromChatEngine } from "./messages-from-chat-engine";
export { converterStage, type StreamConverter } from "./event-stream";
export { ThinkingFilterEngine } from "./thinking-filter";
export { ChatFromMessagesEngine, type ChatFromMessagesOptions } from "./chat-from-messages-engine";
export { ApiSwitchEngine } from "./api-switch";
export { ResponsesFromChatEngine } from "./responses-from-chat-engine";
export { ChatFromResponsesEngine } from "./chat-from-responses-engine";
export { ProfileSchema, profileFromConfig, type ProfileConfig } from "./config";
