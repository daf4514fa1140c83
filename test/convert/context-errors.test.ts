// Context-overflow wordings of real OpenAI-compatible servers (as their users reported them in issue trackers)
// → the two wordings Claude Code acts on. Every wording with numbers must yield numbers.
import { describe, expect, test } from "bun:test";
import { messagesFromChatError } from "../../src/convert";

const FIT = (a: number, b: number, c: number) =>
  `input length and \`max_tokens\` exceed context limit: ${a} + ${b} > ${c}, decrease input length or \`max_tokens\` and try again`;
const LONG = (n: number, m: number) => `prompt is too long: ${n} tokens > ${m} maximum`;

type Case = { server: string; status: number; body: unknown; maxTokens?: number; estimate?: number; want: string };

const err = (message: string, extra: object = {}) => ({ error: { message, ...extra } });

const CASES: Case[] = [
  {
    server: "vLLM, max_tokens too large",
    status: 400,
    body: {
      object: "error",
      message:
        "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778). None",
      type: "BadRequestError",
      code: 400,
    },
    want: FIT(2778, 8000, 4096),
  },
  {
    server: "vLLM, input too long",
    status: 400,
    body: err(
      "This model's maximum context length is 131072 tokens. However, your request has 140000 input tokens. Please reduce the length of the input messages.",
    ),
    maxTokens: 8000,
    want: LONG(140000, 131072),
  },
  {
    server: "vLLM (older), split",
    status: 400,
    body: {
      object: "error",
      message:
        "This model's maximum context length is 16384 tokens. However, you requested 19591 tokens (9591 in the messages, 10000 in the completion). Please reduce the length of the messages or completion. None",
      type: "BadRequestError",
      code: 400,
    },
    want: FIT(9591, 10000, 16384),
  },
  {
    server: "vLLM (older), total only",
    status: 400,
    body: err(
      "This model's maximum context length is 131072 tokens. However, you requested 351430 tokens. Please reduce the length of the messages or completion.",
    ),
    maxTokens: 32000,
    want: LONG(319430, 131072),
  },
  {
    server: "vLLM V1, decoder prompt",
    status: 400,
    body: err(
      "The decoder prompt (length 140000) is longer than the maximum model length of 131072. Make sure that `max_model_len` is no smaller than the number of text tokens.",
    ),
    want: LONG(140000, 131072),
  },
  {
    server: "SGLang, input longer than context",
    status: 400,
    body: {
      object: "error",
      message: "The input (61709 tokens) is longer than the model's context length (40960 tokens).",
      type: "BadRequestError",
      code: 400,
    },
    want: LONG(61709, 40960),
  },
  {
    server: "SGLang, input and completion",
    status: 400,
    body: err(
      "Requested token count exceeds the model's maximum context length of 131072 tokens. You requested a total of 150000 tokens: 140000 tokens from the input messages and 10000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
    ),
    want: LONG(140000, 131072),
  },
  {
    server: "SGLang, maximum allowed length",
    status: 400,
    body: err("Input length (160062 tokens) exceeds the maximum allowed length (59862 tokens)."),
    want: LONG(160062, 59862),
  },
  {
    server: "llama.cpp server (status 400)",
    status: 400,
    body: {
      error: {
        code: 400,
        message: "the request exceeds the available context size. try increasing the context size or enable context shift",
        type: "exceed_context_size_error",
        n_prompt_tokens: 14429,
        n_ctx: 8192,
      },
    },
    want: LONG(14429, 8192),
  },
  {
    server: "llama.cpp server (status 500, input fits)",
    status: 500,
    body: {
      error: {
        code: 500,
        message: "the request exceeds the available context size, try increasing it",
        type: "exceed_context_size_error",
        n_prompt_tokens: 1407,
        n_ctx: 4096,
      },
    },
    maxTokens: 4000,
    want: FIT(1407, 4000, 4096),
  },
  {
    server: "Ollama (no numbers)",
    status: 400,
    body: { error: "the input length exceeds the context length" },
    want: "prompt is too long: the input length exceeds the context length",
  },
  {
    server: "LM Studio",
    status: 400,
    body: err(
      "Trying to keep the first 15857 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input",
    ),
    want: LONG(15857, 4096),
  },
  {
    server: "DeepSeek",
    status: 400,
    body: err(
      "This model's maximum context length is 131072 tokens. However, you requested 131134 tokens (122942 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.",
      { type: "invalid_request_error", param: null, code: "invalid_request_error" },
    ),
    want: FIT(122942, 8192, 131072),
  },
  {
    server: "Moonshot (Kimi)",
    status: 400,
    body: err("Invalid request: Your request exceeded model token limit: 262144 (requested: 269030)", { type: "invalid_request_error" }),
    maxTokens: 32000,
    want: FIT(237030, 32000, 262144),
  },
  {
    server: "Moonshot (older), limit only: the gateway's estimate fills in the input",
    status: 400,
    body: err("model max length exceeded, max length:8192"),
    maxTokens: 4000,
    estimate: 5000,
    want: FIT(5000, 4000, 8192),
  },
  {
    server: "OpenRouter, text and output",
    status: 400,
    body: err(
      `This endpoint's maximum context length is 131072 tokens. However, you requested about 141607 tokens (10535 of text input, 131072 in the output). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`,
      { code: 400, metadata: { provider_name: "Chutes" } },
    ),
    want: FIT(10535, 131072, 131072),
  },
  {
    server: "OpenRouter, text, tool input and output",
    status: 400,
    body: err(
      `This endpoint's maximum context length is 65536 tokens. However, you requested about 92208 tokens (60833 of text input, 10042 of tool input, 21333 in the output). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`,
      { code: 400 },
    ),
    want: LONG(70875, 65536),
  },
  {
    server: "OpenAI, split",
    status: 400,
    body: err(
      "This model's maximum context length is 4097 tokens. However, you requested 4268 tokens (4012 in the messages, 256 in the completion). Please reduce the length of the messages or completion.",
      { type: "invalid_request_error", param: "messages", code: "context_length_exceeded" },
    ),
    want: FIT(4012, 256, 4097),
  },
  {
    server: "OpenAI, messages resulted in",
    status: 400,
    body: err("This model's maximum context length is 8192 tokens. However, your messages resulted in 8202 tokens. Please reduce the length of the messages.", {
      code: "context_length_exceeded",
    }),
    want: LONG(8202, 8192),
  },
  {
    server: "OpenAI, older prompt/completion wording",
    status: 400,
    body: err(
      "This model's maximum context length is 4097 tokens, however you requested 4231 tokens (3975 in your prompt; 256 for the completion). Please reduce your prompt; or completion length.",
    ),
    want: FIT(3975, 256, 4097),
  },
  {
    server: "OpenAI, no numbers",
    status: 400,
    body: err("Your input exceeds the context window of this model. Please adjust your input and try again.", { code: "context_length_exceeded" }),
    want: "prompt is too long: Your input exceeds the context window of this model. Please adjust your input and try again.",
  },
  {
    server: "TGI (Hugging Face)",
    status: 422,
    body: {
      error: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 32769. Given: 30000 `inputs` tokens and 4000 `max_new_tokens`",
      error_type: "validation",
    },
    want: FIT(30000, 4000, 32769),
  },
  {
    server: "Gemini (OpenAI-compatible)",
    status: 400,
    body: err("The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."),
    want: LONG(1200000, 1048576),
  },
  {
    server: "Mistral",
    status: 400,
    body: err("Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length"),
    want: LONG(40000, 32768),
  },
  {
    server: "numbers with thousands separators",
    status: 400,
    body: err("This model's maximum context length is 128,000 tokens. However, your messages resulted in 130,512 tokens."),
    want: LONG(130512, 128000),
  },
  {
    server: "an error sent as a 200 (OpenRouter)",
    status: 200,
    body: err("This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."),
    want: LONG(9000, 8192),
  },
];

describe("context-overflow wordings → Claude Code's", () => {
  for (const c of CASES) {
    test(c.server, () => {
      const mapped = messagesFromChatError(c.body as Record<string, any>, c.status, c.maxTokens, c.estimate);
      expect(mapped.status).toBe(400);
      expect(mapped.anthropic.type).toBe("invalid_request_error");
      expect(mapped.anthropic.message).toBe(c.want);
    });
  }

  test("a rate limit that talks about tokens is not a context overflow", () => {
    const groq = err("Request too large for model in organization on tokens per minute (TPM): Limit 10000, Requested 21247, please reduce your message size");
    expect(messagesFromChatError(groq, 413).anthropic.type).toBe("request_too_large");
    expect(messagesFromChatError(err("Rate limit reached for tokens per min (TPM)"), 429).anthropic.type).toBe("rate_limit_error");
  });

  test("hostile numbers never produce a wrong form: an estimate that fits keeps the original text", () => {
    const m = messagesFromChatError(err("model max length exceeded, max length:8192"), 400, 100, 200);
    expect(m.anthropic.message).toBe("prompt is too long: model max length exceeded, max length:8192");
    const huge = messagesFromChatError(err(`context length is ${"9".repeat(400)} tokens`), 400, 1);
    expect(huge.anthropic.message.length).toBeLessThan(600);
  });
});
