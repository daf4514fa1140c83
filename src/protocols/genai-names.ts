// The OpenTelemetry GenAI names of the wire formats, shared by the traces and the metrics.
import type { ApiFormat } from "../core";

/** gen_ai.operation.name of a request format. */
export function operationOf(format: ApiFormat | undefined): string {
  if (format === "gemini.generate" || format === "gemini.stream") return "generate_content";
  if (format === "openai.chat" || format === "anthropic.messages" || format === "openai.responses") return "chat";
  return format ?? "http";
}

/** gen_ai.provider.name of the API a format belongs to (undefined: none, or not an API format). */
export function providerOf(format: string | undefined): string | undefined {
  if (!format) return undefined;
  if (format.startsWith("openai.")) return "openai";
  if (format.startsWith("anthropic.")) return "anthropic";
  if (format.startsWith("gemini.")) return "gcp.gemini";
  return undefined;
}
