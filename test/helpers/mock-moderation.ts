// A moderation service on 127.0.0.1 for tests: an OpenAI-compatible /v1/moderations and a webhook at
// /hook. Text containing a banned word is flagged; the service can be made slow or failing.

/** How the service behaves now. */
export interface ModerationMode {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer this HTTP status with an error body. */
  failStatus?: number;
  /** Fail (500) only for texts that contain this. */
  failOn?: string;
}

/** One call as the service received it. */
export interface ModerationCall {
  path: string;
  body: any;
  authorization: string | null;
}

/** Words that are flagged, and the category/score each gets. */
export const BANNED: Record<string, { category: string; score: number }> = {
  FORBIDDEN: { category: "violence", score: 0.97 },
  EDGY: { category: "harassment", score: 0.41 }, // below the service's own flag, above a 0.3 threshold
};

/** Starts the mock moderation service. */
export function startMockModeration() {
  const calls: ModerationCall[] = [];
  const mode: ModerationMode = {};
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    development: false,
    async fetch(req) {
      const url = new URL(req.url);
      const body: any = await req.json().catch(() => null);
      calls.push({ path: url.pathname, body, authorization: req.headers.get("authorization") });
      if (mode.delayMs) await Bun.sleep(mode.delayMs);
      const text: string = String(body?.input ?? body?.text ?? "");
      if (mode.failStatus || (mode.failOn && text.includes(mode.failOn)))
        return Response.json({ error: { message: "moderation broke" } }, { status: mode.failStatus || 500 });
      const found = Object.entries(BANNED).filter(([word]) => text.includes(word));
      if (url.pathname === "/hook") {
        const flag = found.find(([, v]) => v.score > 0.5);
        return Response.json(flag ? { allow: false, reason: `contains ${flag[0]}`, category: flag[1].category } : { allow: true });
      }
      const categories: Record<string, boolean> = { violence: false, harassment: false, sexual: false };
      const scores: Record<string, number> = { violence: 0.01, harassment: 0.02, sexual: 0.001 };
      for (const [, v] of found) {
        scores[v.category] = v.score;
        categories[v.category] = v.score > 0.5;
      }
      const flagged = Object.values(categories).some(Boolean);
      return Response.json({ id: "modr-1", model: body?.model ?? "omni-moderation-latest", results: [{ flagged, categories, category_scores: scores }] });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, calls, mode, stop: () => server.stop(true) };
}
