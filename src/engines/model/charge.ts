// What a request is charged when its answer ends: the answer's own usage when it told it; else an estimate whose
// rule is named, never less than the request could have cost out of sight. Budgets, limits, the access log and the
// ledger all record this one figure.
import { costUsd, type ChargeFacts, type LLMRequest, type StreamOutcome, type TokenUsage } from "../../core";

/** What a request reserved before it was sent, in tokens (its output part sized as the budgets need it). */
export interface Reservation {
  input: number;
  output: number;
  /** The USD the budgets took (0: none). */
  usd: number;
}

/** What the end of an answer told: its usage (exact or estimated) and whether it carried reasoning. */
export type AnswerEnd = Pick<StreamOutcome, "usage" | "usageEstimated" | "reasoningSeen">;

/** Names of models that reason by default (their reasoning tokens are billed as output and never shown). */
const REASONING_MODEL = /(^|\/)(o[1-9]|gpt-[5-9]|gpt-\d\d|codex|deepseek-r|deepseek-reasoner|qwq|grok-[3-9])|thinking|reason/i;

/** True when the request could have reasoned out of sight: reasoning asked for, seen in the stream, or a reasoning model. */
export function couldReason(req: LLMRequest, end: AnswerEnd): boolean {
  if (end.reasoningSeen) return true;
  const body = req.body.json<Record<string, any>>();
  if (typeof body.reasoning_effort === "string" && body.reasoning_effort !== "none") return true; // chat
  if (body.reasoning && typeof body.reasoning === "object" && body.reasoning.effort !== "none") return true; // Responses
  const thinking = body.thinking?.type;
  if (thinking === "enabled" || thinking === "adaptive") return true;
  return [req.ctx.route.model, req.ctx.upstream.model].some((m) => typeof m === "string" && REASONING_MODEL.test(m));
}

/**
 * The charge of an answer that succeeded (status < 400): its reported usage; a stream cut short, or one that never
 * told its usage, is charged the estimate of what it carried, or its reservation's whole output when it could have
 * reasoned out of sight; an answer that told nothing is charged its whole reservation.
 */
export function chargeOf(req: LLMRequest, end: AnswerEnd, reserved: () => Reservation): ChargeFacts {
  const price = req.ctx.upstream.price?.(req.ctx.upstream.model ?? req.ctx.route.model ?? "");
  const usdOf = (usage: TokenUsage) => (price ? costUsd(price, usage) : 0);
  const found = end.usage;
  if (found && !end.usageEstimated) return { usage: found, usd: usdOf(found) };
  const r = reserved();
  if (!found) {
    const usage = { input: r.input, output: r.output };
    return { usage, usd: Math.max(usdOf(usage), r.usd), estimate: "reservation" };
  }
  // a stream that never told its input (the gateway's mock, a chat stream not asked for usage) pays the request's estimated input
  const told = found.input ? found : { ...found, input: r.input };
  if (!couldReason(req, end)) return { usage: told, usd: usdOf(told), estimate: "stream_text" };
  const usage = { ...told, output: Math.max(found.output, r.output) };
  return { usage, usd: usdOf(usage), estimate: "reasoning_reserved" };
}
