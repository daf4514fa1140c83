// A config that can be swapped while serving: the current gateway, replaced atomically by a valid new one.
import { log, type Logger } from "../core";
import { buildGateway, type BuiltGateway } from "./build";
import { formatProblem, loadConfigFile, loadConfigText, type LoadResult } from "./load";
import type { Config } from "./schema";

/** Where a config comes from: a file, or a database (whose loads carry its version). */
export interface ConfigLoader {
  /** The file name or the database URL (password hidden), for messages. */
  label: string;
  load(): Promise<LoadResult & { version?: number }>;
}

/**
 * A loader for a YAML file. A reload reads the file until two reads `settleMs` apart agree, so a file that is
 * being rewritten in place is not applied half-written (a truncated file can still be valid YAML).
 */
export function fileLoader(file: string, env: Record<string, string | undefined> = process.env, settleMs = 100): ConfigLoader {
  return {
    label: file,
    load: async () => {
      const text = await readSettled(file, settleMs);
      return text === undefined ? loadConfigFile(file, env) : loadConfigText(text, env);
    },
  };
}

/** The file's text once two reads `settleMs` apart agree (at most 20 tries); undefined when it cannot be read. */
async function readSettled(file: string, settleMs: number): Promise<string | undefined> {
  const read = () =>
    Bun.file(file)
      .text()
      .catch(() => undefined);
  let text = await read();
  for (let i = 0; i < 20 && text !== undefined; i++) {
    await Bun.sleep(settleMs);
    const again = await read();
    if (again === text) return text;
    text = again;
  }
  if (text === undefined) return undefined; // unreadable: the loader reports why
  throw new Error(`${file} kept changing; not applied`);
}

/** The gateway built from a config source, reloadable. Requests in flight keep the engines they started with. */
export class LiveConfig {
  private built: BuiltGateway;
  /** The config version serving: the database's version, or a count of successful loads of a file. */
  version: number;
  /** Reloads that were refused (bad config, or a source that could not be read). */
  failedReloads = 0;
  /** Told of each config swapped in (after the first), in order: a list, so that adding one never drops another. */
  readonly swapObservers: ((config: Config) => void)[] = [];

  constructor(
    readonly loader: ConfigLoader,
    public config: Config,
    version = 1,
    private readonly env: Record<string, string | undefined> = process.env,
    /** Where reloads are logged; the engines built log here too. */
    readonly logger: Logger = log,
  ) {
    this.built = buildGateway(config, env, undefined, logger);
    this.version = version;
  }

  /** The gateway new requests use. */
  get current(): BuiltGateway {
    return this.built;
  }

  private reloading: Promise<boolean> | undefined;
  private reloadAgain: string | undefined;

  /**
   * Loads the source again; on success swaps the gateway, on failure logs every problem and keeps the old one.
   * Reloads never overlap: one asked for while another runs follows it, so an older read never lands last.
   */
  reload(reason: string): Promise<boolean> {
    if (this.reloading) {
      this.reloadAgain = reason;
      return this.reloading;
    }
    this.reloading = this.reloadOnce(reason).finally(() => {
      this.reloading = undefined;
      const again = this.reloadAgain;
      this.reloadAgain = undefined;
      if (again !== undefined) void this.reload(again);
    });
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<boolean> {
    let result: LoadResult & { version?: number };
    try {
      result = await this.loader.load();
    } catch (err) {
      this.failedReloads++;
      this.logger.error("config reload could not read its source; the previous config keeps serving", {
        reason,
        source: this.loader.label,
        error: (err as Error).message,
      });
      return false;
    }
    if (!result.ok) {
      this.failedReloads++;
      for (const p of result.problems) this.logger.error("config problem", { problem: formatProblem(this.loader.label, p) });
      this.logger.error("config reload refused; the previous config keeps serving", {
        reason,
        problems: result.problems.length,
        ...(result.version !== undefined ? { refused_version: result.version } : {}),
      });
      return false;
    }
    try {
      this.built = buildGateway(result.config, this.env, this.built.store, this.logger, this.built.responses);
    } catch (err) {
      this.failedReloads++;
      this.logger.error("config reload failed to build; the previous config keeps serving", { reason, error: (err as Error).message });
      return false;
    }
    this.config = result.config;
    this.version = result.version ?? this.version + 1;
    for (const observe of this.swapObservers) observe(result.config);
    this.logger.info("config reloaded", { reason, version: this.version, models: this.built.models });
    return true;
  }
}
