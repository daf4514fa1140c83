#!/usr/bin/env bun
// The octollm command line: serve, claude, codex, gemini, env, validate, config import/export, models, schema, --version, --help.
import { defineCommand, runMain } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { unknownFlag } from "./args";
import { claudeCommand, envCommand } from "./claude";
import { codexCommand } from "./codex";
import { geminiCommand } from "./gemini";
import { usageCommand } from "./usage";
import { configCommand } from "./config";
import { modelsCommand, schemaCommand } from "./info";
import { serveCommand } from "./serve";
import { validateCommand } from "./validate";

const main = defineCommand({
  meta: { name: "octollm", version: pkg.version, description: "LLM gateway: OpenAI and Anthropic APIs in front of any upstream" },
  subCommands: {
    serve: serveCommand,
    claude: claudeCommand,
    codex: codexCommand,
    gemini: geminiCommand,
    env: envCommand,
    validate: validateCommand,
    config: configCommand,
    models: modelsCommand,
    schema: schemaCommand,
    usage: usageCommand,
  },
});

const argv = process.argv.slice(2);
const bad = unknownFlag(argv);
if (bad) {
  console.error(`octollm ${argv[0]}: unknown option ${bad} (see octollm ${argv[0]} --help)`);
  process.exit(1);
}
await runMain(main, { rawArgs: argv });
