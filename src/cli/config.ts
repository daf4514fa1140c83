import { defineCommand } from "citty";
import { parseDocument, stringify } from "yaml";
import { DbConfigSource, formatProblem, loadConfigFile, openDatabase, readConfig, replaceConfig, writeConfig, type ConfigDatabase } from "../config";

async function open(url: string): Promise<ConfigDatabase> {
  try {
    return await openDatabase(url);
  } catch (err) {
    console.error(`octollm: ${(err as Error).message}`);
    process.exit(2);
  }
}

/** `octollm config import FILE --db URL`: validates a YAML config and stores it in the database (replacing what is there). */
const importCommand = defineCommand({
  meta: { name: "import", description: "Store a YAML config in a database (replaces its config; API keys are stored hashed)" },
  args: {
    file: { type: "positional", description: "Config file (YAML)", required: true },
    db: { type: "string", description: "Database URL: sqlite://file.db or postgres://…", required: true },
  },
  async run({ args }) {
    const result = await loadConfigFile(args.file);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(args.file, p));
      console.error(`octollm: nothing imported: ${result.problems.length} problem(s) in ${args.file}`);
      process.exit(1);
    }
    const raw = parseDocument(await Bun.file(args.file).text()).toJS() ?? {}; // as written: ${VAR} stays a reference
    const db = await open(args.db);
    const source = await DbConfigSource.open(db);
    const version = await writeConfig(db, (tx) => replaceConfig(tx, raw, process.env));
    const loaded = await source.load();
    await db.close();
    const orgs: Record<string, Record<string, unknown>> = raw.orgs ?? raw.users ?? {};
    const keys = Object.values(orgs).reduce((n, org) => n + Object.keys(org.api_keys ?? {}).length, 0);
    console.log(
      `imported ${args.file} into ${db.label}: ${Object.keys(raw.models ?? {}).length} models, ${Object.keys(orgs).length} orgs, ${keys} API keys (hashed); version ${version}${loaded.ok ? "" : " (NOT valid here: run octollm validate --db)"}`,
    );
  },
});

/** `octollm config export --db URL`: prints the database's config as YAML (API keys as their hashes). */
const exportCommand = defineCommand({
  meta: { name: "export", description: "Print the database's config as YAML (API keys appear as sha256: hashes)" },
  args: { db: { type: "string", description: "Database URL: sqlite://file.db or postgres://…", required: true } },
  async run({ args }) {
    const db = await open(args.db);
    try {
      process.stdout.write(stringify(await readConfig(db.sql), { lineWidth: 0 }));
    } catch (err) {
      console.error(`octollm: cannot read the config of ${db.label}: ${(err as Error).message}`);
      process.exit(1);
    } finally {
      await db.close();
    }
  },
});

/** `octollm config import|export`. */
export const configCommand = defineCommand({
  meta: { name: "config", description: "Move a config between a YAML file and a database" },
  subCommands: { import: importCommand, export: exportCommand },
});
