// Content moderation through external services, on input and on (streamed) output.
export { moderated, type ModerationPolicy } from "./moderation-engine";
export { OpenAIModerator, WebhookModerator, ModerationUnavailable, type Moderator, type Verdict, type ModerationSubject, type Direction } from "./moderator";
export { ModerationStage, type StreamModerationOptions, type WindowOutcome } from "./stream";
export { requestText, requestPieces, answerText, eventText } from "./text";
export { inputWindows, AllowedTexts } from "./input-windows";
export { ModerationSchema, MODERATION_DEFAULTS, effectiveModeration, moderationProblems, moderationPolicy, type ModerationConfig } from "./config";
