// Prompt-cache breakpoints for an Anthropic backend whose client cannot mark them (a chat, Responses or Gemini client):
// placed the way Claude Code places its own, so an agent's conversation is written to the cache once and read back
// on every later turn. Anthropic caches only what a breakpoint marks; without any, every turn pays full input price.

type Body = Record<string, any>;

/** Anthropic's limit of breakpoints in one request. */
const MAX_BREAKPOINTS = 4;
const EPHEMERAL = { type: "ephemeral" } as const;

/** Whether any block of the request already carries a cache_control (the client's own marks are left alone). */
function marked(out: Body): boolean {
  const has = (list: unknown) => Array.isArray(list) && list.some((b: Body) => b && typeof b === "object" && b.cache_control !== undefined);
  return has(out.tools) || has(out.system) || (Array.isArray(out.messages) && out.messages.some((m: Body) => has(m?.content)));
}

/** The block of a message that a breakpoint can mark (its last one that is not thinking), made a block list if it was text. */
function lastMarkable(m: Body): Body | undefined {
  if (typeof m.content === "string") {
    if (!m.content) return undefined;
    m.content = [{ type: "text", text: m.content }];
  }
  if (!Array.isArray(m.content)) return undefined;
  return [...m.content].reverse().find((b: Body) => b && b.type !== "thinking" && b.type !== "redacted_thinking" && !(b.type === "text" && !b.text));
}

/**
 * Marks, in order and at most four: the last tool (tools are the prefix's start), the last system block, and the last
 * block of the last two user turns (the previous one is read from the cache, the current one written for the next
 * turn). A turn's marks stay where they were on the next turn, so the prefix never changes between turns.
 */
export function addCacheBreakpoints(out: Body): void {
  if (marked(out)) return;
  let left = MAX_BREAKPOINTS;
  const mark = (b: Body | undefined) => {
    if (!b || left <= 0) return;
    b.cache_control = EPHEMERAL;
    left--;
  };
  if (Array.isArray(out.tools) && out.tools.length) mark(out.tools.at(-1));
  if (Array.isArray(out.system) && out.system.length) mark(out.system.at(-1));
  const users = (out.messages as Body[]).filter((m) => m?.role === "user").slice(-2);
  for (const m of users) mark(lastMarkable(m));
}
