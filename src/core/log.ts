// The process's log (stderr): JSON lines, or readable text in a terminal; a level threshold; and every line
// passes through redaction, so a key, a password in a URL or a bearer token never reaches the log.
import { MIN_SECRET_LENGTH, SecretIndex } from "./secret-index";

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** How lines look: JSON lines, or text for a person at a terminal. */
export type LogFormat = "json" | "text";

/** Query parameters of a URL that carry secrets (`?password=…`): the name with its `=`, then the value. */
export const SECRET_PARAMS = /([?&](?:password|pass|pwd|sslpassword|secret|token|api_?key|key|auth(?:_token)?)=)([^&#\s"]*)/gi;

/** A URL's user-info password, up to the last `@` (so a password with an unencoded `@` is hidden whole). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*:)[^\s"]*@/gi;

/** Text with the secrets of every URL in it hidden: user-info passwords and secret query parameters. */
export function redactUrls(text: string): string {
  return text.replace(URL_PASSWORD, "$1***@").replace(SECRET_PARAMS, "$1***");
}

/** Control characters of text bound for a terminal (escape sequences could retitle or rewrite it). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text with its control characters written as \uXXXX, safe to print on a terminal. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Past this many secrets a line is searched for all of them at once (measured crossover: ~3.5 µs a line per 100). */
const INDEX_FROM = 128;
/** The most secrets a logger hides (a config reloaded many times with new keys must not grow it without bound). */
const MAX_SECRETS = 10_000;
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes log lines; `log` is the process's instance. */
export class Logger {
  level: LogLevel = "info";
  format: LogFormat = process.stderr.isTTY ? "text" : "json";
  /** The secrets to hide, longest first (so a secret containing another is hidden whole). */
  private secrets: string[] = [];
  /** The same secrets in the order they were given, oldest first (the bound evicts from the front). */
  private given = new Set<string>();
  /** With many secrets, an index that finds them all in one pass over a line. */
  private index: SecretIndex | undefined;

  /** Where lines go (stderr by default; tests catch them here). */
  constructor(public sink: (line: string) => void = (line) => process.stderr.write(line)) {}

  /** Values that must never appear in a line (API keys, upstream keys, admin key): replaced by ***. */
  setSecrets(values: Iterable<string | undefined>): void {
    this.given = new Set();
    this.addSecrets(values);
  }

  /**
   * Adds secrets to those already hidden (a reloaded config's): a key rotated out stays hidden, since a request
   * still running on the old config may log it. At most MAX_SECRETS are kept; past that the oldest go.
   */
  addSecrets(values: Iterable<string | undefined>): void {
    for (const v of values) {
      if (typeof v !== "string" || v.length < MIN_SECRET_LENGTH) continue;
      this.given.delete(v);
      this.given.add(v);
    }
    for (const oldest of this.given) {
      if (this.given.size <= MAX_SECRETS) break;
      this.given.delete(oldest);
    }
    this.secrets = [...this.given].sort((a, b) => b.length - a.length);
    this.index = this.secrets.length > INDEX_FROM ? new SecretIndex(this.secrets) : undefined;
  }

  /** `text` with secrets, URL passwords and bearer tokens hidden. */
  redact(text: string): string {
    let out = text;
    if (this.index) out = this.index.redact(out);
    else for (const s of this.secrets) if (out.includes(s)) out = out.replaceAll(s, "***");
    if (out.includes("://")) out = redactUrls(out);
    return out.includes("earer") ? out.replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, "$1***") : out;
  }

  /** True when lines of this level are written. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  debug(msg: string, fields: Record<string, unknown> = {}): void {
    this.line("debug", msg, fields);
  }

  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.line("info", msg, fields);
  }

  warn(msg: string, fields: Record<string, unknown> = {}): void {
    this.line("warn", msg, fields);
  }

  error(msg: string, fields: Record<string, unknown> = {}): void {
    this.line("error", msg, fields);
  }

  /** A line as it would be written (redacted), in the current format or the one given. */
  render(level: LogLevel, msg: string, fields: Record<string, unknown>, format: LogFormat = this.format): string {
    const ts = new Date().toISOString();
    if (format === "json") return this.redact(JSON.stringify({ ts, level, msg, ...fields })) + "\n";
    const rest = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === "string" ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
    return escapeControls(this.redact(`${ts.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${rest.length ? "  " + rest.join(" ") : ""}`)) + "\n";
  }

  private line(level: LogLevel, msg: string, fields: Record<string, unknown>): void {
    if (this.enabled(level)) this.sink(this.render(level, msg, fields));
  }
}

/** The process's log. */
export const log = new Logger();
