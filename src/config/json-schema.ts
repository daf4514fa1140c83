// The config's JSON Schema, generated from the valibot schema, for editors (yaml-language-server) and
// other tools. Cross checks (references, expressions) cannot be expressed in it: `octollm validate` runs them.
import { toJsonSchema } from "@valibot/to-json-schema";
import pkg from "../../package.json" with { type: "json" };
import { ConfigSchema } from "./schema";

/** The JSON Schema (draft-07) of a config file. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = toJsonSchema(ConfigSchema, { errorMode: "ignore", typeMode: "input" }) as Record<string, unknown>;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...schema,
    $id: `https://octollm.dev/schema/${pkg.version}/config.json`,
    title: "OctoLLM gateway config",
    description: "octollm serve -c FILE; every key is in docs/config.md. `octollm validate FILE` also checks references and expressions.",
  };
}
