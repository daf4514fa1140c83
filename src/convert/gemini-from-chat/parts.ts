// Gemini parts as the hub's: user parts as text, image and file parts; a model's parts as its text, reasoning
// and tool calls. A part with no data the gateway can carry is a 400 naming it, in Gemini's wording.
import { GatewayError } from "../../core";
import type { HubPart, HubToolCall } from "../../protocols/openai-chat/hub";
import type { BackendProfile } from "../profile";
import { openState } from "./envelope";

type Body = Record<string, any>;

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif", "image/heic", "image/heif"]);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A 400 about one part, named by its field path. */
export function partError(field: string, why: string): GatewayError {
  return new GatewayError("invalid_request", `* GenerateContentRequest.${field}: ${why}`, { param: field });
}

/** One user part as hub parts (none for a thought, an empty text or a part that only carries a signature). */
export function userPart(p: Body, field: string, profile: BackendProfile): HubPart[] {
  if (p.thought === true) return [];
  if (typeof p.text === "string") return p.text ? [{ type: "text", text: p.text }] : [];
  if (p.inlineData && typeof p.inlineData === "object") return inlinePart(p.inlineData, `${field}.inlineData`, profile);
  if (p.fileData && typeof p.fileData === "object") return [filePart(p.fileData, `${field}.fileData`)];
  if (p.executableCode || p.codeExecutionResult || p.toolCall || p.toolResponse) return [{ type: "text", text: JSON.stringify(p) }];
  const keys = Object.keys(p); // a part holding only a signature or metadata carries nothing to read
  if (p.thoughtSignature !== undefined || (keys.length > 0 && keys.every((k) => k === "videoMetadata" || k === "mediaResolution" || k === "partMetadata")))
    return [];
  throw partError(`${field}.data`, "required oneof field 'data' must have one initialized field");
}

function inlinePart(d: Body, field: string, profile: BackendProfile): HubPart[] {
  const mime = String(d.mimeType ?? "").toLowerCase();
  const data = typeof d.data === "string" ? d.data : "";
  if (!data || !BASE64.test(data)) throw partError(`${field}.data`, "invalid base64 data");
  if (IMAGE_TYPES.has(mime)) {
    if (!profile.vision) return [{ type: "text", text: `[image omitted: this model's backend does not read images]` }];
    return [{ type: "image_url", image_url: { url: `data:${mime};base64,${data}` } }];
  }
  if (mime === "application/pdf") {
    if (!profile.pdf) return [{ type: "text", text: "[PDF omitted: this model's backend does not read PDF files]" }];
    return [{ type: "file", file: { filename: "document.pdf", file_data: `data:application/pdf;base64,${data}` } }];
  }
  if (mime.startsWith("text/") || mime === "application/json") return [{ type: "text", text: Buffer.from(data, "base64").toString("utf8") }];
  throw partError(`${field}.mimeType`, `${mime.slice(0, 64) || "(none)"} is not supported on this gateway`);
}

function filePart(d: Body, field: string): HubPart {
  const uri = String(d.fileUri ?? "");
  const mime = String(d.mimeType ?? "").toLowerCase();
  const imageName = /\.(png|jpe?g|webp|gif)(\?|$)/i.test(uri);
  if (/^https?:\/\//.test(uri) && !/\/v1(beta|alpha)?\/files\//.test(uri) && (IMAGE_TYPES.has(mime) || imageName))
    return { type: "image_url", image_url: { url: uri } };
  throw partError(`${field}.fileUri`, "only http(s) image URLs can be read here; files stored at Google live in the client's Google project");
}

/** A model content's parts: its text, thinking, calls and the gateway's state on them; a call without an id gets one from its place (the same history, the same ids). */
export function modelParts(
  parts: Body[],
  contentIndex: number,
): { text: string; reasoning: string; calls: HubToolCall[]; state?: { state: string; text?: string } } {
  let text = "";
  let state: { state: string; text?: string } | undefined;
  const thoughts: string[] = [];
  const calls: HubToolCall[] = [];
  parts.forEach((p, i) => {
    if (!p || typeof p !== "object") return;
    state ??= openState(p.thoughtSignature); // the first that is this gateway's and holds
    if (p.thought === true) {
      if (typeof p.text === "string" && p.text) thoughts.push(p.text);
    } else if (typeof p.text === "string") text += p.text;
    else if (p.functionCall && typeof p.functionCall === "object") {
      const fc = p.functionCall;
      const id = typeof fc.id === "string" && fc.id ? fc.id : `gc_${contentIndex}_${i}`;
      calls.push({ id, type: "function", function: { name: String(fc.name ?? ""), arguments: JSON.stringify(fc.args ?? {}) } });
    } else if (p.executableCode) text += `\n\`\`\`${String(p.executableCode.language ?? "").toLowerCase()}\n${p.executableCode.code ?? ""}\n\`\`\`\n`;
    else if (p.codeExecutionResult) text += `\nCode output (${p.codeExecutionResult.outcome ?? ""}):\n${p.codeExecutionResult.output ?? ""}\n`;
  });
  return { text, reasoning: thoughts.join("\n\n"), calls, state };
}

/** A function result's content for a tool message. */
export function resultContent(r: Body): string {
  const response = r.response;
  if (response && typeof response === "object") {
    if (typeof response.output === "string") return response.output || "(no output)";
    if (response.error !== undefined) return `Error: ${typeof response.error === "string" ? response.error : JSON.stringify(response.error)}`;
  }
  const text = response === undefined ? "" : JSON.stringify(response);
  return text && text !== "{}" ? text : "(no output)";
}
