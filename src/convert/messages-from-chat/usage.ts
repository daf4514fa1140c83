// OpenAI usage → Anthropic usage (docs/conversion.md): prompt_tokens includes cached tokens, input_tokens does not.

import { chatCacheCounts } from "../../protocols";

type Body = Record<string, any>;

/** Anthropic usage with all four integer fields. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Maps OpenAI usage; missing numbers fall back to the estimates. */
export function mapUsage(u: Body | undefined, estimates: { input: number; output: number }): AnthropicUsage {
  if (!u) return { input_tokens: estimates.input, output_tokens: estimates.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const cache = chatCacheCounts(u);
  const read = cache.read ?? num(u.cache_read_input_tokens) ?? 0;
  const write = cache.write ?? 0;
  const prompt = num(u.prompt_tokens);
  return {
    input_tokens: prompt === undefined ? estimates.input : Math.max(prompt - read - write, 0),
    output_tokens: num(u.completion_tokens) ?? estimates.output,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}
