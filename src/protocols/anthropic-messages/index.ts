// The Anthropic Messages wire protocol: error shapes, list shapes and stream events.
export * from "./errors";
export * from "./events";
export * from "./models";
