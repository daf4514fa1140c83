// Content moderation around the rest of the pipeline: the request's text is checked before the upstream
// is called, the answer's text before the client sees it (a whole answer at once, a stream in windows).
import {
  GatewayError, LazyBody, protocolOf, withoutCompression, type Engine, type LLMRequest, type LLMResponse, type ModerationRecord,
} from "../../core";
import { renderErrorEvent } from "../../protocols";
import { replacedAnswer } from "./endings";
import { type Direction, type Moderator, type Verdict } from "./moderator";
import { moderateStream, type WindowOutcome } from "./stream";
import { answerText, requestText } from "./text";

/** How a model moderates: the service, and what is checked. */
export interface ModerationPolicy {
  moderator: Moderator;
  /** When the service fails or is too slow: refuse (true) or let the text through (false). */
  failClosed: boolean;
  /** Check the request's last `maxChars` characters of text before the upstream call. */
  input?: { maxChars: number };
  /**
   * Check the answer; a stream in windows of `windowChars` (or `windowChunks` text events, when set), or what came
   * within `holdMs` when the upstream is slower.
   * A flag replaces the text, or ends with an error.
   */
  output?: { windowChars: number; windowChunks?: number; holdMs: number; onFlag: "replace" | "error"; replacement: string };
}

const MODERATED = new Set(["openai.chat", "anthropic.messages"]);

/** One direction's checks of one request, recorded in the request context as they happen. */
class Checks {
  readonly record: ModerationRecord;
  verdict: Verdict | undefined;
  failure: Error | undefined;

  constructor(private readonly policy: ModerationPolicy, private readonly req: LLMRequest, private readonly direction: Direction) {
    this.record = { direction, decision: "allow", ms: 0, checks: 0 };
    (req.ctx.moderation ??= []).push(this.record);
  }

  /** Checks one text: allow, flag, or fail (the service failed and the policy is fail-closed). */
  async run(text: string): Promise<"allow" | "flag" | "fail"> {
    const started = performance.now();
    const rec = this.record;
    rec.checks++;
    try {
      this.verdict = await this.policy.moderator.check(text, { direction: this.direction, model: this.req.ctx.model ?? "", org: this.req.ctx.caller?.org });
      if (!this.verdict.flagged) return "allow";
      Object.assign(rec, { decision: "flag", category: this.verdict.category });
      return "flag";
    } catch (err) {
      this.failure = err as Error;
      Object.assign(rec, { decision: "error", failed_open: !this.policy.failClosed });
      return this.policy.failClosed ? "fail" : "allow";
    } finally {
      rec.ms = Math.round((rec.ms + performance.now() - started) * 10) / 10;
    }
  }

  /** The error a fail-closed failure answers with. */
  unavailable(): GatewayError {
    return new GatewayError("overloaded", `content moderation is unavailable: ${this.failure?.message}`, { status: 503 });
  }

  /** The error a flag answers with (input, or output with on_flag: error). */
  flagged(what: string): GatewayError {
    return new GatewayError("invalid_request", `${what} blocked by content moderation: ${this.verdict?.reason ?? "flagged"}`, { code: "content_filter" });
  }
}

/** Runs `next` under the policy (a library user wraps any engine with ModerationEngine instead). */
export async function moderated(req: LLMRequest, next: Engine, policy: ModerationPolicy): Promise<LLMResponse> {
  if (!MODERATED.has(req.format)) return next.process(req);
  if (policy.input) {
    const text = requestText(req.format, req.body.json(), policy.input.maxChars);
    const checks = new Checks(policy, req, "input");
    const decision = text.trim() ? await checks.run(text) : "allow";
    if (decision === "flag") throw checks.flagged("Request");
    if (decision === "fail") throw checks.unavailable();
  }
  if (!policy.output) return next.process(req);
  req = withoutCompression(req); // the answer must be readable here
  const res = await next.process(req);
  if (res.status !== 200 || res.headers.has("content-encoding")) return res;
  return res.stream ? moderateStreamAnswer(req, res, policy, policy.output) : moderateWholeAnswer(req, res, policy, policy.output);
}

async function moderateWholeAnswer(req: LLMRequest, res: LLMResponse, policy: ModerationPolicy, output: NonNullable<ModerationPolicy["output"]>): Promise<LLMResponse> {
  if (!res.body) return res;
  let body: Record<string, any>;
  try {
    body = res.body.json();
  } catch {
    return res; // not JSON: nothing to read
  }
  const text = answerText(req.format, body);
  if (!text.trim()) return res;
  const checks = new Checks(policy, req, "output");
  const decision = await checks.run(text);
  if (decision === "allow") return res;
  if (decision === "fail") throw checks.unavailable();
  if (output.onFlag === "error") throw checks.flagged("Output");
  return { ...res, body: LazyBody.fromValue(replacedAnswer(req.format, body, output.replacement)) };
}

function moderateStreamAnswer(req: LLMRequest, res: LLMResponse, policy: ModerationPolicy, output: NonNullable<ModerationPolicy["output"]>): LLMResponse {
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return res;
  const protocol = protocolOf(req.format);
  const checks = new Checks(policy, req, "output");
  const check = async (text: string): Promise<WindowOutcome> => {
    const decision = text.trim() ? await checks.run(text) : "allow";
    if (decision === "fail") return { kind: "fail", errorEvent: renderErrorEvent(protocol, checks.unavailable()) };
    return { kind: decision };
  };
  const stream = moderateStream(res.stream!, {
    format: req.format,
    model: req.ctx.model ?? "",
    windowChars: output.windowChars,
    windowChunks: output.windowChunks ?? 0,
    holdMs: output.holdMs,
    check,
    onFlag: output.onFlag === "replace"
      ? { replacement: output.replacement }
      : { get errorEvent() { return renderErrorEvent(protocol, checks.flagged("Output")); } },
  });
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return { ...res, headers, stream };
}

/** Moderates the input and output of the engine it wraps. */
export class ModerationEngine implements Engine {
  constructor(private readonly next: Engine, private readonly policy: ModerationPolicy) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    return moderated(req, this.next, this.policy);
  }
}
