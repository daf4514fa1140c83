// External moderation services: an OpenAI-compatible /v1/moderations endpoint, or a generic webhook.
// Both answer a verdict for one piece of text; a slow, failing or nonsensical service throws.
import { readTextBounded } from "../upstream";

/** Which way the text goes. */
export type Direction = "input" | "output";

/** What a moderation service is told besides the text. */
export interface ModerationSubject {
  direction: Direction;
  model: string;
  org?: string;
}

/** A service's answer. */
export interface Verdict {
  flagged: boolean;
  /** Why it was flagged (shown to the client). */
  reason?: string;
  /** The main category, for logs and metrics (a bounded value: the service's category name). */
  category?: string;
}

/** A moderation service. */
export interface Moderator {
  /** Checks one text; throws when the service cannot answer in time. */
  check(text: string, subject: ModerationSubject): Promise<Verdict>;
}

/** Raised when a moderation service fails, times out or answers something unusable. */
export class ModerationUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModerationUnavailable";
  }
}

/** Settings shared by the HTTP moderators. */
export interface HttpModeratorOptions {
  /** Full URL to POST to. */
  url: string;
  /** Sent as Bearer. */
  apiKey?: string;
  /** Deadline for the whole exchange, in ms. */
  timeoutMs: number;
}

async function postJson(opts: HttpModeratorOptions, body: object): Promise<Record<string, any>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  let res: Response;
  try {
    res = await fetch(opts.url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs), redirect: "manual" });
  } catch (err) {
    const timedOut = (err as Error)?.name === "TimeoutError";
    throw new ModerationUnavailable(
      timedOut ? `moderation service did not answer within ${opts.timeoutMs} ms` : `moderation service unreachable: ${(err as Error)?.message ?? err}`,
    );
  }
  let text: string;
  try {
    text = res.body ? await readTextBounded(res.body, 1 << 20) : ""; // a verdict is small: 1 MiB at most
  } catch (err) {
    throw new ModerationUnavailable(`moderation service answer failed: ${(err as Error)?.message ?? err}`);
  }
  if (!res.ok) throw new ModerationUnavailable(`moderation service answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // reported below
  }
  throw new ModerationUnavailable(`moderation service answered something that is not a JSON object: ${text.slice(0, 200)}`);
}

/** Settings of an OpenAI-compatible moderation endpoint. */
export interface OpenAIModeratorOptions extends HttpModeratorOptions {
  /** The `model` field (e.g. omni-moderation-latest); omitted when unset. */
  model?: string;
  /** Category → score at or above which the category counts as flagged (overrides the service's own flag for it). */
  thresholds?: Record<string, number>;
}

/** POST {input, model} to an OpenAI-compatible /v1/moderations; flagged by the service, or by score thresholds. */
export class OpenAIModerator implements Moderator {
  constructor(private readonly opts: OpenAIModeratorOptions) {}

  async check(text: string): Promise<Verdict> {
    const answer = await postJson(this.opts, this.opts.model ? { input: text, model: this.opts.model } : { input: text });
    const results = answer.results;
    if (!Array.isArray(results) || results.length === 0) throw new ModerationUnavailable("moderation service answered without results");
    const hits: { name: string; score?: number }[] = [];
    let flaggedAsWhole = false;
    for (const r of results) {
      flaggedAsWhole ||= r?.flagged === true;
      const scores: Record<string, unknown> = r?.category_scores ?? {};
      const flags: Record<string, unknown> = r?.categories ?? {};
      for (const name of new Set([...Object.keys(flags), ...Object.keys(scores), ...Object.keys(this.opts.thresholds ?? {})])) {
        const score = typeof scores[name] === "number" ? (scores[name] as number) : undefined;
        const threshold = this.opts.thresholds?.[name];
        const hit = threshold !== undefined ? score !== undefined && score >= threshold : flags[name] === true;
        if (hit) hits.push({ name, score });
      }
      // a service that flags without naming categories still flags (unless thresholds decide every category)
      if (r?.flagged === true && Object.keys(flags).length === 0 && Object.keys(scores).length === 0) hits.push({ name: "flagged" });
    }
    if (hits.length === 0) return { flagged: false };
    hits.sort((a, b) => (b.score ?? 1) - (a.score ?? 1));
    const list = hits.map((h) => (h.score === undefined ? h.name : `${h.name} (${h.score.toFixed(2)})`)).join(", ");
    return { flagged: true, category: hits[0]!.name, reason: `flagged for ${list}${flaggedAsWhole ? "" : " by threshold"}` };
  }
}

/** POST {text, direction, model, org} to a webhook that answers {allow, reason?, category?}. */
export class WebhookModerator implements Moderator {
  constructor(private readonly opts: HttpModeratorOptions) {}

  async check(text: string, subject: ModerationSubject): Promise<Verdict> {
    const answer = await postJson(this.opts, { text, direction: subject.direction, model: subject.model, org: subject.org ?? null });
    if (typeof answer.allow !== "boolean") throw new ModerationUnavailable(`moderation webhook answered without a boolean "allow"`);
    if (answer.allow) return { flagged: false };
    const reason = typeof answer.reason === "string" && answer.reason ? answer.reason : "flagged by the moderation service";
    return { flagged: true, reason, category: typeof answer.category === "string" ? answer.category.slice(0, 64) : "webhook" };
  }
}
