// Anthropic content blocks → OpenAI message parts (docs/conversion.md).
import { GatewayError } from "../../core";
import type { BackendProfile } from "../profile";
import type { HubPart } from "../../protocols/openai-chat/hub";

/** An OpenAI user-message content part (the hub's). */
export type OpenAIPart = HubPart;

type Block = Record<string, any>;

/** Plain text of blocks (text parts only). */
export function blocksText(content: unknown, sep = "\n"): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((b: Block) => b?.type === "text" && typeof b.text === "string")
    .map((b: Block) => b.text)
    .join(sep);
}

/** One user-side block as OpenAI parts (text, image, document, search result). */
export function userBlockParts(b: Block, profile: BackendProfile): OpenAIPart[] {
  switch (b?.type) {
    case "text":
      return typeof b.text === "string" && b.text.trim() !== "" ? [cachedText(b.text, b, profile)] : [];
    case "image":
      return imagePart(b, profile);
    case "document":
      return documentParts(b, profile);
    case "search_result":
      return [{ type: "text", text: searchResultText(b) }];
    default:
      return [];
  }
}

/** A text part, with the block's cache_control when the profile passes it on. */
export function cachedText(text: string, b: Block, profile: BackendProfile): OpenAIPart {
  return profile.passCacheControl && b?.cache_control ? { type: "text", text, cache_control: b.cache_control } : { type: "text", text };
}

function imagePart(b: Block, profile: BackendProfile): OpenAIPart[] {
  if (!profile.vision) return [{ type: "text", text: "[image omitted: backend has no vision]" }];
  const src = b.source ?? {};
  if (src.type === "base64") return [{ type: "image_url", image_url: { url: `data:${src.media_type};base64,${src.data}` } }];
  if (src.type === "url") return [{ type: "image_url", image_url: { url: src.url } }];
  throw new GatewayError("invalid_request", `image source type "${src.type}" cannot be sent to this backend`, { param: "messages" });
}

function documentParts(b: Block, profile: BackendProfile): OpenAIPart[] {
  const src = b.source ?? {};
  const title = typeof b.title === "string" ? b.title : undefined;
  if (src.type === "text") return [{ type: "text", text: title ? `${title}\n${src.data}` : String(src.data ?? "") }];
  if (src.type === "content") return (Array.isArray(src.content) ? src.content : []).flatMap((x: Block) => userBlockParts(x, profile));
  if (src.type === "base64" && src.media_type === "application/pdf" && profile.pdf) {
    return [{ type: "file", file: { filename: title ?? "document.pdf", file_data: `data:application/pdf;base64,${src.data}` } }];
  }
  return [{ type: "text", text: "[PDF document omitted: backend cannot read PDFs]" }];
}

function searchResultText(b: Block): string {
  return [b.title, b.source, blocksText(b.content)].filter((x) => typeof x === "string" && x !== "").join("\n");
}

/** A tool_result's content as the `tool` message string, plus media to attach to the next user message. */
export function toolResultContent(b: Block, profile: BackendProfile): { text: string; media: OpenAIPart[] } {
  const c = b.content;
  let text = "";
  const media: OpenAIPart[] = [];
  if (typeof c === "string") text = c;
  else if (Array.isArray(c)) {
    const texts: string[] = [];
    for (const x of c as Block[]) {
      if (x?.type === "text" && typeof x.text === "string") texts.push(x.text);
      else if (x?.type === "search_result") texts.push(searchResultText(x));
      else if (x?.type === "tool_reference") texts.push(`[tool reference: ${x.tool_name}]`);
      else if (x?.type === "image" || x?.type === "document") media.push(...userBlockParts(x, profile));
    }
    text = texts.join("\n");
    if (!text && media.length) text = "(see attached image)";
  }
  if (!text) text = "(no output)";
  if (b.is_error === true && !text.startsWith("<tool_use_error>")) text = `Error: ${text}`;
  return { text, media };
}
