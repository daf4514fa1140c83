// Chat usage → Responses usage: input_tokens counts cached tokens (as chat's prompt_tokens does), with the
// cache reads, cache writes and reasoning tokens in their details.

import { chatCacheCounts } from "../../protocols";

type Body = Record<string, any>;

/** A Responses usage object, every field present. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

/** Maps chat usage; missing counts fall back to the estimates. */
export function responsesUsage(u: Body, estimates: { input: number; output: number } = { input: 0, output: 0 }): ResponsesUsage {
  const input = num(u.prompt_tokens) ?? estimates.input;
  const output = num(u.completion_tokens) ?? estimates.output;
  const cache = chatCacheCounts(u);
  const cached = cache.read ?? 0;
  const written = cache.write ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: written },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(u.completion_tokens_details?.reasoning_tokens) ?? 0 },
    total_tokens: input + output,
  };
}
