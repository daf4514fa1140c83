// The core: types, the lazy body, SSE, errors. It imports no other folder of src.
export * from "./types";
export * from "./context";
export * from "./errors";
export { LazyBody } from "./body";
export { scanTopLevel, indexTopLevel, looksLikeJsonObject, lastKeyValueAt, stringValueBytes, skipString, isSpace, type TopLevelIndex } from "./json-scan";
export { SseEvent, SseParser, SseEventTooLarge, MAX_SSE_EVENT_CHARS, MAX_SSE_EVENT_BYTES, formatSse } from "./sse";
export { splitSse } from "./sse-split";
export {
  StreamPipeline,
  type StreamStage,
  type StageFailure,
  type StageOutput,
  type TextStage,
  type EventStage,
  type StreamOutcome,
  type UsageMeter,
  type ErrorTail,
  type RunningStream,
  type PipelineParts,
} from "./stream-pipeline";
export { joinOutputs } from "./stream-stages";
export { concatBytes } from "./bytes";
export { log, Logger, escapeControls, redactUrls, SECRET_PARAMS, type LogLevel, type LogFormat } from "./log";
export { costUsd, cacheSavingsUsd, type Price, type Rate } from "./price";
export { storeText } from "./text";
export { sameSecret, isLoopback } from "./secrets";
export type { AccessRecord, RequestObserver } from "./access-record";
