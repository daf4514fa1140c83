import { defineCommand } from "citty";
import { configJsonSchema, describeRoutes, formatProblem, formatRoutes, loadConfigFile } from "../config";

/** `octollm schema`: prints the config's JSON Schema. */
export const schemaCommand = defineCommand({
  meta: { name: "schema", description: "Print the config's JSON Schema (for editors: # yaml-language-server: $schema=…)" },
  run() {
    process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + "\n");
  },
});

/** `octollm models -c FILE`: lists each model's route. */
export const modelsCommand = defineCommand({
  meta: { name: "models", description: "List the models of a config and where each one's requests go" },
  args: {
    config: { type: "string", alias: "c", description: "Config file (YAML)", default: "config.yaml" },
    json: { type: "boolean", description: "Print JSON instead of text", default: false },
  },
  async run({ args }) {
    const result = await loadConfigFile(args.config);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(args.config, p));
      process.exit(1);
    }
    const routes = describeRoutes(result.config);
    console.log(args.json ? JSON.stringify(routes, null, 2) : formatRoutes(routes).join("\n"));
  },
});
