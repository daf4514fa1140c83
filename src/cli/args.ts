// Argument helpers citty does not provide: numbers, and refusing unknown flags.

/** Parses a --port value (0–65535) or exits with a message. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    console.error(`octollm: --port must be a number from 0 to 65535, got "${value}"`);
    process.exit(1);
  }
  return n;
}

/** Flags each subcommand knows (citty silently ignores unknown ones; we do not). */
const KNOWN: Record<string, string[]> = {
  serve: ["-c", "--config", "--config-db", "--host", "--port", "--watch", "--no-watch", "--log-level", "--log-format", "-h", "--help"],
  validate: ["--db", "-h", "--help"],
  config: ["--db", "-h", "--help"],
  models: ["-c", "--config", "--json", "--no-json", "-h", "--help"],
  schema: ["-h", "--help"],
  claude: ["-c", "--config", "--url", "--log-file", "--trace", "--no-trace", "-h", "--help"],
  codex: ["-c", "--config", "--url", "--log-file", "--trace", "--no-trace", "-h", "--help"],
  gemini: ["-c", "--config", "--url", "--log-file", "-h", "--help"],
  usage: ["--db", "--since", "--by", "--json", "--no-json", "-h", "--help"],
  env: ["-c", "--config", "--url", "--shell", "-h", "--help"],
};

/** The first unknown flag in argv for its subcommand, if any. */
export function unknownFlag(argv: string[]): string | undefined {
  const known = KNOWN[argv[0] ?? ""];
  if (!known) return undefined;
  for (const arg of argv.slice(1)) {
    if (arg === "--") break; // what follows belongs to another program (octollm claude -- <claude args>)
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.split("=")[0]!;
    if (!known.includes(name)) return arg;
  }
  return undefined;
}
