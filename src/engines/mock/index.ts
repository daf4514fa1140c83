// The built-in mock backend: answers both protocols with no key and no network.
export { MockEngine, type MockOptions } from "./mock";
export { estimateTokens, contentText, lastUserText } from "./text";
export { MockSchema, mockEngine } from "./config";
