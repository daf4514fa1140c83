// The `mock` settings of a `provider: mock` backend: their schema, and the mock engine they make.
import * as v from "valibot";
import { MockEngine } from "./mock";

const ms = (what: string) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description(what)));

/** Settings of the built-in mock backend. */
export const MockSchema = v.strictObject({
  text: v.optional(v.pipe(v.string(), v.description("Fixed reply text (default: a greeting that echoes the last user message)"))),
  chunks: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000), v.description("About how many stream chunks carry the text (default 8)")),
  ),
  latency_ms: ms("Delay before the answer starts"),
  chunk_delay_ms: ms("Delay between stream chunks"),
  agent: v.optional(
    v.pipe(v.boolean(), v.description("Agent mode (default true): call the client's own tool (shell, read, write, subagent) when the user asks for it")),
  ),
});

/** The mock engine of a backend's `mock` settings. */
export function mockEngine(m: v.InferOutput<typeof MockSchema> = {}): MockEngine {
  return new MockEngine({ text: m.text, chunks: m.chunks, latencyMs: m.latency_ms, chunkDelayMs: m.chunk_delay_ms, agent: m.agent });
}
