// Gemini's Schema (the OpenAPI subset of `parameters` and `responseSchema`: upper-case types, `nullable`, counts
// as strings) as JSON Schema for the hub; also applied to `parametersJsonSchema`, where clients send upper-case
// types too.
type Body = Record<string, any>;

const COUNTS = ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"];
const NUMERIC_FORMATS = new Set(["float", "double", "int32", "int64"]);

/** One schema node and its children as JSON Schema. */
export function jsonSchemaOf(node: unknown, depth = 0): unknown {
  if (depth > 64 || !node || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((n) => jsonSchemaOf(n, depth + 1));
  const out: Body = {};
  for (const [k, v] of Object.entries(node as Body)) {
    if (k === "propertyOrdering" || k === "nullable" || k === "example") continue;
    if (k === "type") {
      if (typeof v === "string" && v !== "TYPE_UNSPECIFIED") out.type = v.toLowerCase();
    } else if (k === "properties" && v && typeof v === "object") {
      out.properties = Object.fromEntries(Object.entries(v as Body).map(([p, s]) => [p, jsonSchemaOf(s, depth + 1)]));
    } else if (k === "items" || k === "anyOf" || k === "oneOf" || k === "additionalProperties") {
      out[k] = jsonSchemaOf(v, depth + 1);
    } else if (COUNTS.includes(k) && typeof v === "string" && /^\d+$/.test(v)) {
      out[k] = Number(v);
    } else out[k] = v;
  }
  const n = node as Body;
  if (out.type === undefined && out.properties) out.type = "object";
  if (out.type === undefined && out.items) out.type = "array";
  if ((out.type === "integer" || out.type === "number") && Array.isArray(out.enum)) out.enum = out.enum.map(Number);
  if (typeof out.format === "string" && (NUMERIC_FORMATS.has(out.format) || out.format === "enum")) delete out.format;
  if (n.example !== undefined) out.examples = [n.example];
  if (n.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: "null" }];
  }
  return out;
}

/** A tool's parameters as the hub's JSON Schema: always an object at the root. */
export function toolParameters(decl: Body): Body {
  const raw = decl.parametersJsonSchema ?? decl.parameters;
  const schema = jsonSchemaOf(raw) as Body | undefined;
  if (!schema || typeof schema !== "object") return { type: "object", properties: {} };
  return schema.type === undefined ? { type: "object", properties: {}, ...schema } : schema;
}
