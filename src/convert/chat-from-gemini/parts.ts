// Hub user content as Gemini parts (text, images and PDFs inline, image URLs as file data), and JSON Schema as
// Gemini's parametersJsonSchema takes it: no $schema, same-document $refs inlined.
type Body = Record<string, any>;

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** A user message's content as Gemini parts. */
export function geminiParts(content: unknown): Body[] {
  if (typeof content === "string") return content ? [{ text: content }] : [];
  const out: Body[] = [];
  for (const p of Array.isArray(content) ? content : []) {
    if (p?.type === "text" && typeof p.text === "string" && p.text) out.push({ text: p.text });
    else if (p?.type === "image_url") out.push(urlPart(String(p.image_url?.url ?? "")));
    else if (p?.type === "file" && typeof p.file?.file_data === "string") out.push(urlPart(p.file.file_data));
    else if (p?.type === "input_audio" && typeof p.input_audio?.data === "string")
      out.push({ inlineData: { mimeType: p.input_audio.format === "mp3" ? "audio/mp3" : "audio/wav", data: p.input_audio.data } });
  }
  return out;
}

function urlPart(url: string): Body {
  const m = DATA_URL.exec(url);
  if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
  const ext = /\.(png|jpe?g|webp|gif)(\?|$)/i.exec(url)?.[1]?.toLowerCase();
  return { fileData: { mimeType: ext ? `image/${ext === "jpg" ? "jpeg" : ext}` : "image/jpeg", fileUri: url } };
}

/** A JSON Schema for Gemini: the root $schema and strict removed, $refs into the same document inlined (cycles left as refs). */
export function geminiSchema(schema: Body): Body {
  const { $schema: _s, strict: _t, ...rest } = schema ?? {};
  const out = inline(rest, rest, new Set()) as Body;
  if (JSON.stringify(out).includes('"$ref"')) {
    // a recursive ref stays a ref: its definitions go with it
    if (rest.$defs) out.$defs = rest.$defs;
    if (rest.definitions) out.definitions = rest.definitions;
  }
  return out;
}

function inline(node: unknown, root: Body, seen: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, root, seen));
  if (!node || typeof node !== "object") return node;
  const n = node as Body;
  if (typeof n.$ref === "string" && n.$ref.startsWith("#/") && !seen.has(n.$ref)) {
    const target = n.$ref
      .slice(2)
      .split("/")
      .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Body)[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), root);
    if (target && typeof target === "object") {
      const { $ref: _r, ...siblings } = n;
      return { ...(inline(target, root, new Set([...seen, n.$ref])) as Body), ...siblings };
    }
  }
  const out: Body = {};
  for (const [k, v] of Object.entries(n)) if (k !== "$defs" && k !== "definitions") out[k] = inline(v, root, seen);
  return out;
}
