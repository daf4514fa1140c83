import { defineCommand } from "citty";
import { DbConfigSource, formatProblem, loadConfigFile, openDatabase, type LoadResult } from "../config";

/** `octollm validate FILE` or `octollm validate --db URL`: prints every problem; exits 1 when there is any. */
export const validateCommand = defineCommand({
  meta: { name: "validate", description: "Check a config file (every problem as file:line:col) or a database's config" },
  args: {
    file: { type: "positional", description: "Config file (YAML)", required: false },
    db: { type: "string", description: "Check the config stored in this database instead (sqlite://file.db or postgres://…)" },
  },
  async run({ args }) {
    if (!args.file && !args.db) {
      console.error("octollm validate: give a config file, or --db URL");
      process.exit(1);
    }
    let label = args.file ?? "";
    let result: LoadResult & { version?: number };
    if (args.db) {
      try {
        const db = await openDatabase(args.db);
        label = db.label;
        result = await (await DbConfigSource.open(db, { readOnly: true })).load();
        await db.close();
      } catch (err) {
        console.error(`octollm: ${(err as Error).message}`);
        process.exit(2);
      }
    } else result = await loadConfigFile(args.file!);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(label, p));
      console.error(`${result.problems.length} problem${result.problems.length === 1 ? "" : "s"} in ${label}`);
      process.exit(1);
    }
    const models = Object.keys(result.config.models);
    const where = result.version !== undefined ? `${label} (version ${result.version})` : label;
    console.log(`${where}: OK (${models.length} model${models.length === 1 ? "" : "s"}: ${models.join(", ")})`);
    for (const note of result.notes ?? []) console.log(`note: ${note}`);
    for (const w of result.warnings ?? []) console.log(`warning: ${formatProblem(label, w)}`);
  },
});
