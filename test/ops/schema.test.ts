// The config's JSON Schema: the committed file is what `octollm schema` prints, it accepts every example
// (as the gateway reads it, ${VAR} resolved) and rejects broken configs, as an editor would.
import Ajv from "ajv";
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { configJsonSchema } from "../../src/config";
import { interpolateDocument } from "../../src/config/env";

const root = resolve(import.meta.dir, "../..");
const ajv = new Ajv({ allErrors: true, strict: false }).addFormat("uri", (s: string) => URL.canParse(s));
const validate = ajv.compile(configJsonSchema());
const asRead = (text: string) => {
  const doc = parseDocument(text);
  interpolateDocument(doc, {});
  return doc.toJS();
};

describe("JSON Schema", () => {
  test("octollm.schema.json is what `octollm schema` prints (run it again after changing the config schema)", async () => {
    expect(await Bun.file(join(root, "octollm.schema.json")).json()).toEqual(configJsonSchema());
  });
  test("every example validates and points editors at the schema", async () => {
    const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".yaml"));
    for (const f of files) {
      const text = await Bun.file(join(root, "examples", f)).text();
      expect({ f, first: text.split("\n")[0] }).toEqual({ f, first: "# yaml-language-server: $schema=../octollm.schema.json" });
      const ok = validate(asRead(text));
      expect({ f, errors: ok ? [] : validate.errors }).toEqual({ f, errors: [] });
    }
  });
  test("broken configs are rejected: an unknown key, a wrong type, a bad enum value, a missing required key", () => {
    const cases: [string, string][] = [
      ["server: { hots: x }\nmodels: { m: { backends: { 'default:1': { provider: mock } } } }\n", "must NOT have additional properties"],
      ["server: { port: eighty }\nmodels: { m: { backends: { 'default:1': { provider: mock } } } }\n", "must be integer"],
      ["models: { m: { access: secret, backends: { 'default:1': { provider: mock } } } }\n", "must be equal to one of the allowed values"],
      ["models: { m: { access: public } }\n", "must have required property 'backends'"],
    ];
    for (const [yaml, message] of cases) {
      expect(validate(asRead(yaml))).toBe(false);
      expect(validate.errors!.map((e) => e.message)).toContain(message);
    }
  });
});
