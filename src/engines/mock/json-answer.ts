// The mock's answer to a request that asks for JSON (response_format): a value that fits the schema it names, so
// clients that parse the answer (Gemini CLI's model router, structured-output apps) get JSON, not a greeting.
type Body = Record<string, any>;

/**
 * A value fitting JSON Schema `schema`: the first enum value, `text` for strings, false, [] and each property; a
 * number is its minimum, else 1 (scores and counts often start there: Gemini CLI's router refuses a 0), else its maximum.
 */
export function sampleOf(schema: unknown, text: string, depth = 0): unknown {
  if (!schema || typeof schema !== "object" || depth > 16) return text;
  const s = schema as Body;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const branch = s.anyOf ?? s.oneOf;
  if (Array.isArray(branch) && branch.length) return sampleOf(branch.find((b: Body) => b?.type !== "null") ?? branch[0], text, depth + 1);
  const type = String((Array.isArray(s.type) ? s.type.find((t: unknown) => t !== "null") : s.type) ?? (s.properties ? "object" : "string")).toLowerCase();
  if (type === "object") {
    const props: Body = s.properties && typeof s.properties === "object" ? s.properties : {};
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleOf(v, text, depth + 1)]));
  }
  if (type === "array") return s.items && (s.minItems ?? 0) > 0 ? [sampleOf(s.items, text, depth + 1)] : [];
  if (type === "integer" || type === "number")
    return typeof s.minimum === "number" ? s.minimum : typeof s.maximum === "number" && s.maximum < 1 ? s.maximum : 1;
  if (type === "boolean") return false;
  if (type === "null") return null;
  return text;
}

/** The reply text for a request's response_format: JSON fitting its schema, `{"text": …}` for plain JSON mode, else `text`. */
export function formattedText(responseFormat: unknown, text: string): string {
  const f = responseFormat as Body | undefined;
  if (f?.type === "json_schema") return JSON.stringify(sampleOf(f.json_schema?.schema, text));
  if (f?.type === "json_object") return JSON.stringify({ text });
  return text;
}
