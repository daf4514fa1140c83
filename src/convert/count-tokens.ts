// A local input-token estimate for /v1/messages/count_tokens on non-Anthropic backends (docs/conversion.md).
// It counts what the model reads: system text, message text, tool definitions, tool inputs and results,
// and thinking; about 4 characters a token (3.5 for code-heavy JSON), 3 tokens of framing per message,
// and 1,600 tokens per image. Never 0 for a non-empty request.

type Body = Record<string, any>;

const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 3;

function blockChars(b: unknown): { chars: number; images: number } {
  if (typeof b === "string") return { chars: b.length, images: 0 };
  if (!b || typeof b !== "object") return { chars: 0, images: 0 };
  const x = b as Body;
  switch (x.type) {
    case "text":
      return { chars: String(x.text ?? "").length, images: 0 };
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

/** Estimated input tokens of an Anthropic Messages request body. */
export function estimateInputTokens(body: Body): number {
  let chars = 0,
    images = 0,
    messages = 0;
  const sys = listChars(body.system);
  chars += sys.chars;
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    const c = listChars((m as Body)?.content);
    chars += c.chars;
    images += c.images;
    messages++;
  }
  const toolChars = Array.isArray(body.tools) ? JSON.stringify(body.tools).length : 0;
  const tokens = Math.ceil(chars / 4) + Math.ceil(toolChars / 3.5) + messages * MESSAGE_OVERHEAD + images * IMAGE_TOKENS;
  return chars + toolChars + images > 0 ? Math.max(1, tokens) : 0;
}
