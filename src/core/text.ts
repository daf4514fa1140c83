// Client-chosen text on its way into a store (a database row, a Redis key): no NUL (PostgreSQL refuses it), no
// lone surrogate (not valid UTF-8), and bounded, so one crafted name can never make a store refuse a write.

/** `text` made safe to store: NUL removed, lone surrogates replaced, at most `max` characters; null for none. */
export function storeText(text: string | undefined | null, max = 256): string | null {
  if (text === undefined || text === null) return null;
  const bounded = text.length > max ? text.slice(0, max) : text;
  const wellFormed = bounded.isWellFormed() ? bounded : bounded.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "") : wellFormed;
}
