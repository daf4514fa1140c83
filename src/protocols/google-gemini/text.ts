// The text a Gemini request, answer or stream event carries (what moderation reads): text and thought parts,
// function call arguments and function results, tool declarations and the system instruction.
type Body = Record<string, any>;

/** The text of a list of Gemini parts, one string per part that has any. */
export function partsText(parts: unknown, out: string[]): void {
  for (const p of Array.isArray(parts) ? parts : []) {
    if (!p || typeof p !== "object") continue;
    if (typeof p.text === "string" && p.text) out.push(p.text);
    if (p.functionCall && typeof p.functionCall === "object") out.push(JSON.stringify(p.functionCall.args ?? {}));
    if (p.functionResponse && typeof p.functionResponse === "object") out.push(JSON.stringify(p.functionResponse.response ?? {}));
  }
}

/** A request's text as pieces, in the order the model reads them: tools, the system instruction, then one per content. */
export function geminiRequestPieces(body: Body): string[] {
  const head: string[] = [];
  for (const t of Array.isArray(body?.tools) ? body.tools : []) {
    for (const d of Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []) head.push(JSON.stringify(d));
  }
  const sys = body?.systemInstruction;
  if (typeof sys === "string") head.push(sys);
  else partsText(sys?.parts, head);
  const pieces = head.length ? [head.join("\n")] : [];
  for (const c of Array.isArray(body?.contents) ? body.contents : []) {
    const out: string[] = [];
    partsText(c?.parts, out);
    if (out.length) pieces.push(out.join("\n"));
  }
  return pieces;
}

/** The text of an answer or of one stream event (each event is an answer holding only its new parts). */
export function geminiAnswerText(body: Body, joiner = "\n"): string {
  const out: string[] = [];
  for (const c of Array.isArray(body?.candidates) ? body.candidates : []) partsText(c?.content?.parts, out);
  return out.join(joiner);
}
