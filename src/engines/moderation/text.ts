// The text moderation looks at, in the request's API (each codec knows its own): everything a client sends that
// the model reads (system prompt, messages and their names, tool definitions, calls and results, documents, search
// results); an answer's text, reasoning and tool-call arguments; the same fragments in stream events.
import type { ApiFormat } from "../../core";
import { codecOf } from "../../protocols";

type Body = Record<string, any>;

/** A request's text as pieces, in the order the model reads them (earlier pieces stay the same as a conversation grows). */
export function requestPieces(format: ApiFormat, body: Body): string[] {
  return codecOf(format).requestPieces(body);
}

/** The last `maxChars` characters of a request's whole text (all its pieces). */
export function requestText(format: ApiFormat, body: Body, maxChars: number): string {
  const text = requestPieces(format, body).join("\n");
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}

/** The text of a whole (non-stream) answer: content, reasoning, refusals, tool-call arguments. */
export function answerText(format: ApiFormat, body: Body): string {
  return codecOf(format).answerText(body);
}

/** The text one stream event adds. */
export function eventText(format: ApiFormat, event: Body): string {
  return codecOf(format).eventText(event);
}
