// Context-overflow errors of OpenAI-compatible servers, read into numbers: every server words them
// differently, and Claude Code acts only on Anthropic's two wordings (docs/conversion.md, "Errors").

type Body = Record<string, any>;

/** What a context-overflow message says: the limit, and the input and output counts when it gives them. */
export interface ContextOverflow {
  limit?: number;
  input?: number;
  output?: number;
  /** input + output, when only their sum is given. */
  requested?: number;
}

type Reader = { re: RegExp; read: (m: RegExpExecArray) => ContextOverflow };

const n = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, "")));
const NUM = "(\\d[\\d,]*)";
const rx = (s: string) => new RegExp(s.replaceAll("#", NUM), "i");

// First match wins; the most specific wordings come first. Sources: docs/conversion.md lists who says what.
const READERS: Reader[] = [
  // vLLM (max_tokens check): "... is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens"
  {
    re: rx("too large: #\\.? .*?maximum context length is # tokens and your request has # input tokens"),
    read: (m) => ({ output: n(m[1]), limit: n(m[2]), input: n(m[3]) }),
  },
  // OpenAI, DeepSeek, older vLLM: "maximum context length is 8192 tokens. However, you requested 8203 tokens (7691 in the messages, 512 in the completion)"
  {
    re: rx("context length is # tokens.*?requested (?:about )?# tokens \\(# in (?:the messages|your prompt)[;,] # (?:in|for) the completion"),
    read: (m) => ({ limit: n(m[1]), requested: n(m[2]), input: n(m[3]), output: n(m[4]) }),
  },
  // OpenRouter: "maximum context length is 131072 tokens. However, you requested about 92208 tokens (60833 of text input, 10042 of tool input, 21333 in the output)"
  {
    re: rx("context length is # tokens.*?requested (?:about )?# tokens \\(# of text input, (?:# of tool input, )?(?:# of image input, )?# in the output"),
    read: (m) => ({ limit: n(m[1]), input: (n(m[3]) ?? 0) + (n(m[4]) ?? 0) + (n(m[5]) ?? 0), output: n(m[6]) }),
  },
  // vLLM: "maximum context length is 131072 tokens. However, your request has 140000 input tokens"
  { re: rx("context length is # tokens.*?your request has # input tokens"), read: (m) => ({ limit: n(m[1]), input: n(m[2]) }) },
  // OpenAI: "maximum context length is 8192 tokens. However, your messages resulted in 8202 tokens"
  { re: rx("context length is # tokens.*?(?:messages|prompt) resulted in # tokens"), read: (m) => ({ limit: n(m[1]), input: n(m[2]) }) },
  // vLLM without a split: "maximum context length is 131072 tokens. However, you requested 351430 tokens"
  { re: rx("context length is # tokens.*?requested (?:about )?# tokens"), read: (m) => ({ limit: n(m[1]), requested: n(m[2]) }) },
  // SGLang: "Requested token count exceeds the model's maximum context length of 131072 tokens. You requested a total of 150000 tokens: 140000 tokens from the input messages and 10000 tokens for the completion"
  {
    re: rx("maximum context length of # tokens.*?total of # tokens: # tokens from the input messages and # tokens for the completion"),
    read: (m) => ({ limit: n(m[1]), input: n(m[3]), output: n(m[4]) }),
  },
  // SGLang: "The input (61709 tokens) is longer than the model's context length (40960 tokens)"
  { re: rx("input \\(# tokens\\) is longer than the model's context length \\(# tokens\\)"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // SGLang: "Input length (160062 tokens) exceeds the maximum allowed length (59862 tokens)"
  { re: rx("input length \\(# tokens\\) exceeds the maximum allowed length \\(# tokens\\)"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // vLLM V1: "The decoder prompt (length 140000) is longer than the maximum model length of 131072"
  { re: rx("prompt \\(length #\\) is longer than the maximum model length of #"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // TGI (Hugging Face, Together): "`inputs` tokens + `max_new_tokens` must be <= 32769. Given: 30000 `inputs` tokens and 4000 `max_new_tokens`"
  { re: rx("must be <= #\\. Given: # `inputs` tokens and # `max_new_tokens`"), read: (m) => ({ limit: n(m[1]), input: n(m[2]), output: n(m[3]) }) },
  // LM Studio: "Trying to keep the first 15857 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens"
  { re: rx("keep the first # tokens when context .*?context length of only # tokens"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // Moonshot: "Your request exceeded model token limit: 262144 (requested: 269030)"
  { re: rx("exceeded model token limit: # \\(requested: #\\)"), read: (m) => ({ limit: n(m[1]), requested: n(m[2]) }) },
  // Gemini (OpenAI-compatible): "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)"
  { re: rx("input token count \\(#\\) exceeds the maximum number of tokens allowed \\(#\\)"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // Mistral: "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length"
  { re: rx("prompt contains # tokens.*?too large for model with # maximum context length"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // Anthropic's own wording, from an Anthropic-compatible server behind a chat API
  { re: rx("prompt is too long: # tokens > # maximum"), read: (m) => ({ input: n(m[1]), limit: n(m[2]) }) },
  // Moonshot (older): "model max length exceeded, max length:8192"; any other "maximum context length is N"
  { re: rx("(?:max length:|context length is |context window of |context limit of )\\s?#"), read: (m) => ({ limit: n(m[1]) }) },
];

/** Wordings and error codes that mean the prompt did not fit. */
const CONTEXT_TEXT =
  /context length|context_length_exceeded|context window|context size|prompt is too long|exceeded model token limit|max length exceeded|maximum allowed length|maximum model length|maximum number of tokens allowed|exceed context limit|`inputs` tokens \+ `max_new_tokens`|when context the overflows|input length exceeds/i;
const CONTEXT_CODES = new Set(["context_length_exceeded", "exceed_context_size_error", "string_above_max_length"]);

/** Whether an upstream error (its message, code or type) says the prompt did not fit the context. */
export function isContextOverflow(message: string, codes: unknown[]): boolean {
  return codes.some((c) => CONTEXT_CODES.has(String(c))) || CONTEXT_TEXT.test(message);
}

/** The numbers a context-overflow error gives: from llama.cpp's fields, else from its message. */
export function readContextOverflow(message: string, error: Body = {}): ContextOverflow {
  if (Number.isFinite(error.n_prompt_tokens) && Number.isFinite(error.n_ctx)) return { input: error.n_prompt_tokens, limit: error.n_ctx };
  const text = message.slice(0, 4000);
  for (const r of READERS) {
    const m = r.re.exec(text);
    if (m) return r.read(m);
  }
  return {};
}

/**
 * Claude Code's wording for a context overflow: "input length and `max_tokens` exceed context limit: a + b > c"
 * (it retries with a smaller max_tokens) when the input fits, else "prompt is too long: n tokens > m maximum"
 * (it compacts). Missing numbers come from the request: its max_tokens, then the gateway's input estimate.
 */
export function claudeContextMessage(found: ContextOverflow, maxTokens: number | undefined, estimate: number | undefined, original: string): string {
  const { limit } = found;
  let { input, output } = found;
  if (output === undefined && input !== undefined && found.requested !== undefined) output = found.requested - input;
  output ??= maxTokens;
  if (input === undefined && found.requested !== undefined && output !== undefined) input = found.requested - output;
  input ??= estimate;
  if (limit !== undefined && input !== undefined && input > 0) {
    if (input > limit || output === undefined) return `prompt is too long: ${input} tokens > ${limit} maximum`;
    if (input + output > limit) {
      return `input length and \`max_tokens\` exceed context limit: ${input} + ${output} > ${limit}, decrease input length or \`max_tokens\` and try again`;
    }
  }
  return `prompt is too long: ${original}`;
}
