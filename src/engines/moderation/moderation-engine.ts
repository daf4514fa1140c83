// Content moderation around the rest of the pipeline: the request's text is checked before the upstream
// is called, the answer's text before the client sees it (a whole answer at once, a stream in windows).
import { GatewayError, LazyBody, withoutCompression, type ApiFormat, type Engine, type LLMRequest, type LLMResponse, type ModerationRecord } from "../../core";
import { codecOf } from "../../protocols";
import type { Direction, Moderator, Verdict } from "./moderator";
import { ModerationStage, type WindowOutcome } from "./stream";
import { AllowedTexts, inputWindows } from "./input-windows";
import { answerText, requestPieces } from "./text";

/** How a model moderates: the service, and what is checked. */
export interface ModerationPolicy {
  moderator: Moderator;
  /** When the service fails or is too slow: refuse (true) or let the text through (false). */
  failClosed: boolean;
  /**
   * Check all of the request's text before the upstream call, in windows of `windowChars` characters, at most
   * `maxChecks` service calls per request (past that, the newest windows are checked and the rest counts as a
   * service failure); windows allowed before are remembered in `allowed` and not sent again.
   */
  input?: { windowChars: number; maxChecks: number; allowed: AllowedTexts };
  /**
   * Check the answer; a stream in windows of `windowChars` (or `windowChunks` text events, when set), or what came
   * within `holdMs` when the upstream is slower.
   * A flag replaces the text, or ends with an error.
   */
  output?: { windowChars: number; windowChunks?: number; holdMs: number; onFlag: "replace" | "error"; replacement: string };
}

/** Which formats are moderated: the ones that generate text. A Record, so a new format does not compile until it says. */
const MODERATED: Readonly<Record<ApiFormat, boolean>> = {
  "openai.chat": true,
  "openai.responses": true,
  "anthropic.messages": true,
  "gemini.generate": true,
  "gemini.stream": true,
  "openai.responses.compact": false, // Codex's own summary of its history: the history was checked when it was sent
  "openai.responses.input_tokens": false,
  "openai.responses.item": false,
  "anthropic.count_tokens": false,
  "gemini.count_tokens": false,
};

/** One direction's checks of one request, recorded in the request context as they happen. */
class Checks {
  readonly record: ModerationRecord;
  verdict: Verdict | undefined;
  failure: Error | undefined;

  constructor(
    private readonly policy: ModerationPolicy,
    private readonly req: LLMRequest,
    private readonly direction: Direction,
  ) {
    this.record = { direction, decision: "allow", ms: 0, checks: 0 };
    req.ctx.moderation.push(this.record);
  }

  /** Checks one text: allow, flag, or fail (the service failed and the policy is fail-closed). */
  async run(text: string): Promise<"allow" | "flag" | "fail"> {
    const outcome = await this.ask(text);
    return outcome === "error" ? (this.policy.failClosed ? "fail" : "allow") : outcome;
  }

  /** Asks the service about one text: allowed, flagged (the first flag's verdict is kept), or error (it failed). */
  async ask(text: string): Promise<"allow" | "flag" | "error"> {
    const started = performance.now();
    const rec = this.record;
    rec.checks++;
    try {
      const verdict = await this.policy.moderator.check(text, {
        direction: this.direction,
        model: this.req.ctx.route.model ?? "",
        org: this.req.ctx.caller?.org,
      });
      if (!verdict.flagged) return "allow";
      if (rec.decision !== "flag") {
        this.verdict = verdict;
        Object.assign(rec, { decision: "flag", category: verdict.category });
      }
      return "flag";
    } catch (err) {
      this.failed(err as Error);
      return "error";
    } finally {
      rec.ms = Math.round((rec.ms + performance.now() - started) * 10) / 10;
    }
  }

  /** Records a failure (a flag already found stays the decision). */
  failed(err: Error): void {
    this.failure = err;
    if (this.record.decision !== "flag") Object.assign(this.record, { decision: "error", failed_open: !this.policy.failClosed });
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
  if (!MODERATED[req.format]) return next.process(req);
  if (policy.input) await checkInput(req, policy, policy.input);
  if (!policy.output) return next.process(req);
  req = withoutCompression(req); // the answer must be readable here
  const res = await next.process(req);
  if (res.status !== 200 || res.headers.has("content-encoding")) return res;
  return res.stream ? moderateStreamAnswer(req, res, policy, policy.output) : moderateWholeAnswer(req, res, policy, policy.output);
}

/** Service calls in flight at once for one request's input windows. */
const INPUT_PARALLEL = 4;

/** Checks every window of the request's text that was not allowed before; throws on a flag or a fail-closed failure. */
async function checkInput(req: LLMRequest, policy: ModerationPolicy, input: NonNullable<ModerationPolicy["input"]>): Promise<void> {
  const windows = inputWindows(requestPieces(req.format, req.body.json()), input.windowChars);
  if (windows.length === 0) return;
  const checks = new Checks(policy, req, "input");
  let todo = windows.map((text) => ({ text, key: AllowedTexts.key(text) })).filter((w) => !input.allowed.has(w.key));
  if (todo.length > input.maxChecks) {
    checks.failed(new Error(`the request's new text needs ${todo.length} checks, more than input_max_checks (${input.maxChecks})`));
    if (policy.failClosed) throw checks.unavailable();
    todo = todo.slice(-input.maxChecks); // fail open: the newest text is still checked
  }
  let next = 0,
    failed = false;
  const worker = async () => {
    while (next < todo.length && checks.record.decision !== "flag") {
      const w = todo[next++]!;
      const outcome = await checks.ask(w.text);
      if (outcome === "allow")
        input.allowed.add(w.key); // only what the service allowed is remembered
      else if (outcome === "error" && policy.failClosed) failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(INPUT_PARALLEL, todo.length) }, worker));
  if (checks.record.decision === "flag") throw checks.flagged("Request");
  if (failed) throw checks.unavailable();
}

async function moderateWholeAnswer(
  req: LLMRequest,
  res: LLMResponse,
  policy: ModerationPolicy,
  output: NonNullable<ModerationPolicy["output"]>,
): Promise<LLMResponse> {
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
  return { ...res, body: LazyBody.fromValue(codecOf(req.format).replacedAnswer(body, output.replacement)) };
}

function moderateStreamAnswer(req: LLMRequest, res: LLMResponse, policy: ModerationPolicy, output: NonNullable<ModerationPolicy["output"]>): LLMResponse {
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return res;
  const codec = codecOf(req.format);
  const checks = new Checks(policy, req, "output");
  const check = async (text: string): Promise<WindowOutcome> => {
    const decision = text.trim() ? await checks.run(text) : "allow";
    if (decision === "fail") return { kind: "fail", errorEvent: codec.errorEvent(checks.unavailable()) };
    return { kind: decision };
  };
  const stage = new ModerationStage({
    format: req.format,
    model: req.ctx.route.model ?? "",
    windowChars: output.windowChars,
    windowChunks: output.windowChunks ?? 0,
    holdMs: output.holdMs,
    check,
    onFlag:
      output.onFlag === "replace"
        ? { replacement: output.replacement }
        : {
            get errorEvent() {
              return codec.errorEvent(checks.flagged("Output"));
            },
          },
  });
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return { ...res, headers, stream: res.stream!.through(stage) };
}
