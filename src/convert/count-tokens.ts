// A local input-token estimate for /v1/messages/count_tokens on non-Anthropic backends (docs/conversion.md).
// It counts what the model reads: system text, message text, tool definitions, tool inputs and results,
// and thinking; about 4 characters a token (3.5 for code-heavy JSON), 3 tokens of framing per message,
// and 1,600 tokens per image. Never 0 for a non-empty request.

type Body = Record<string, any>;

/** What one image counts, in tokens. */
export const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 3;

function blockChars(b: unknown): { chars: number; images: number } {
  if (typeof b === "string") return { chars: b.length, images: 0 };
  if (!b || typeof b !== "object") return { chars: 0, images: 0 };
  const x = b as Body;
  switch (x.type) {
    case "text":
    case "input_text":
    case "output_text":
      return { chars: String(x.text ?? "").length, images: 0 };
    case "input_image":
      return { chars: 0, images: 1 };
    case "message": // a Responses input item
      return listChars(x.content);
    case "thinking":
      return { chars: String(x.thinking ?? "").length, images: 0 };
    case "image":
      return { chars: 0, images: 1 };
    case "document":
      return { chars: x.source?.type === "text" ? String(x.source.data ?? "").length : 0, images: x.source?.type === "base64" ? 3 : 0 };
    case "tool_use":
      return { chars: String(x.name ?? "").length + JSON.stringify(x.input ?? {}).length, images: 0 };
    case "tool_result":
      return listChars(typeof x.content === "string" ? [x.content] : x.content);
    default:
      return { chars: JSON.stringify(x).length, images: 0 };
  }
}

function listChars(list: unknown): { chars: number; images: number } {
  let chars = 0,
    images = 0;
  for (const b of Array.isArray(list) ? list : typeof list === "string" ? [list] : []) {
    const c = blockChars(b);
    chars += c.chars;
    images += c.images;
  }
  return { chars, images };
}

/** Estimated input tokens of a request body: Anthropic Messages, OpenAI chat or Responses. */
export function estimateInputTokens(body: Body): number {
  let chars = 0,
    images = 0,
    messages = 0;
  const sys = listChars(body.system);
  chars += sys.chars + (typeof body.instructions === "string" ? body.instructions.length : 0);
  const items = Array.isArray(body.messages)
    ? body.messages
    : typeof body.input === "string"
      ? [{ content: body.input }]
      : Array.isArray(body.input)
        ? body.input
        : [];
  for (const m of items as Body[]) {
    // a Responses item other than a message (a function call, its output, reasoning) counts as its JSON
    const c = m && typeof m === "object" && m.content === undefined && typeof m.type === "string" ? blockChars(m) : listChars(m?.content);
    chars += c.chars + (Array.isArray(m?.tool_calls) ? JSON.stringify(m.tool_calls).length : 0); // chat tool calls
    images += c.images;
    messages++;
  }
  const toolChars = Array.isArray(body.tools) ? JSON.stringify(body.tools).length : 0;
  const tokens = Math.ceil(chars / 4) + Math.ceil(toolChars / 3.5) + messages * MESSAGE_OVERHEAD + images * IMAGE_TOKENS;
  return chars + toolChars + images > 0 ? Math.max(1, tokens) : 0;
}
