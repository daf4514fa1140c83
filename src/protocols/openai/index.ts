// The OpenAI Chat Completions wire protocol: error shapes and list shapes.
export * from "./errors";
export * from "./models";
export * from "./family";
