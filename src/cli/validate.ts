import { defineCommand } from "citty";
import { formatProblem, loadConfigFile } from "../config";

/** `octollm validate FILE`: prints every problem as file:line:col path: message; exits 1 when there is any. */
export const validateCommand = defineCommand({
  meta: { name: "validate", description: "Check a config file and print every problem as file:line:col" },
  args: { file: { type: "positional", description: "Config file (YAML)", required: true } },
  async run({ args }) {
    const result = await loadConfigFile(args.file);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(args.file, p));
      console.error(`${result.problems.length} problem${result.problems.length === 1 ? "" : "s"} in ${args.file}`);
      process.exit(1);
    }
    const models = Object.keys(result.config.models);
    console.log(`${args.file}: OK (${models.length} model${models.length === 1 ? "" : "s"}: ${models.join(", ")})`);
  },
});
