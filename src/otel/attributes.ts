// The GenAI attributes of the gateway's spans (OpenTelemetry semantic conventions v1.41): what the request asked
// for, read from its body once it is known to be sampled, and what the answer was, read from the access record.
import type { AccessRecord, ApiFormat, ContextView, LazyBody } from "../core";
import type { AttrValue } from "./span";

type Attrs = Record<string, AttrValue | undefined>;

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string").slice(0, 16) : typeof v === "string" ? [v] : undefined);

/** The request parameters, by the request's own field names (one top-level read each: a large body is not parsed). */
export function requestAttributes(format: ApiFormat, body: LazyBody, captureContent: boolean, maxLength: number): Attrs {
  const f = (k: string) => body.field(k);
  const a: Attrs = {};
  if (format.startsWith("gemini.")) {
    const g = f("generationConfig") as Record<string, unknown> | undefined;
    if (g && typeof g === "object") {
      a["gen_ai.request.temperature"] = num(g.temperature);
      a["gen_ai.request.top_p"] = num(g.topP);
      a["gen_ai.request.top_k"] = num(g.topK);
      a["gen_ai.request.max_tokens"] = num(g.maxOutputTokens);
      a["gen_ai.request.seed"] = num(g.seed);
      a["gen_ai.request.stop_sequences"] = strings(g.stopSequences);
      a["gen_ai.request.choice.count"] = num(g.candidateCount);
    }
  } else {
    a["gen_ai.request.temperature"] = num(f("temperature"));
    a["gen_ai.request.top_p"] = num(f("top_p"));
    a["gen_ai.request.max_tokens"] = num(f("max_tokens") ?? f("max_completion_tokens") ?? f("max_output_tokens"));
    if (format === "anthropic.messages") {
      a["gen_ai.request.top_k"] = num(f("top_k"));
      a["gen_ai.request.stop_sequences"] = strings(f("stop_sequences"));
    } else if (format === "openai.chat") {
      a["gen_ai.request.frequency_penalty"] = num(f("frequency_penalty"));
      a["gen_ai.request.presence_penalty"] = num(f("presence_penalty"));
      a["gen_ai.request.seed"] = num(f("seed"));
      a["gen_ai.request.stop_sequences"] = strings(f("stop"));
      const n = num(f("n"));
      if (n !== undefined && n !== 1) a["gen_ai.request.choice.count"] = n;
    }
  }
  if (captureContent) Object.assign(a, contentAttributes(format, f, maxLength));
  return a;
}

/** The request's messages, system instructions and tool definitions as JSON text, cut to `max` characters. */
function contentAttributes(format: ApiFormat, f: (k: string) => unknown, max: number): Attrs {
  const json = (v: unknown) => (v === undefined || v === null ? undefined : JSON.stringify(v).slice(0, max));
  const gemini = format.startsWith("gemini.");
  const messages = gemini ? f("contents") : format === "openai.responses" ? f("input") : f("messages");
  const system = gemini
    ? f("systemInstruction")
    : format === "anthropic.messages"
      ? f("system")
      : format === "openai.responses"
        ? f("instructions")
        : undefined;
  return { "gen_ai.input.messages": json(messages), "gen_ai.system_instructions": json(system), "gen_ai.tool.definitions": json(f("tools")) };
}

/** What the answer was, from the access record and the request's context. */
export function responseAttributes(rec: AccessRecord, ctx: ContextView): Attrs {
  const usage = ctx.charge?.usage;
  return {
    "gen_ai.request.model": rec.model,
    "gen_ai.response.model": rec.upstream_model,
    "gen_ai.usage.input_tokens": rec.tokens_in,
    "gen_ai.usage.output_tokens": rec.tokens_out,
    "gen_ai.usage.cache_read.input_tokens": usage?.cacheRead,
    "gen_ai.usage.cache_creation.input_tokens": usage?.cacheWrite,
    "gen_ai.conversation.id": rec.session,
    "http.response.status_code": rec.status,
    "error.type": rec.status >= 400 ? (rec.rate_limited ? "rate_limit" : String(rec.status)) : undefined,
    "octollm.request_id": rec.rid,
    "octollm.org": rec.org,
    "octollm.key": rec.user,
    "octollm.route": rec.route ?? rec.model,
    "octollm.backend": rec.backend,
    "octollm.cost_usd": rec.cost_usd,
    "octollm.usage_estimated": rec.usage_estimated,
    "octollm.ttft_ms": rec.ttft_ms,
    "octollm.attempts": rec.attempts,
    "octollm.outcome": rec.outcome,
    "octollm.rate_limited": rec.rate_limited,
    "octollm.agent": rec.agent,
    "octollm.tags": rec.tags?.length ? rec.tags : undefined,
  };
}
