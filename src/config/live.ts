// A config that can be swapped while serving: the current gateway, replaced atomically by a valid new one.
import { buildGateway, type BuiltGateway } from "./build";
import { formatProblem, loadConfigFile } from "./load";
import type { Config } from "./schema";

/** The gateway built from a file, reloadable. Requests in flight keep the engines they started with. */
export class LiveConfig {
  private built: BuiltGateway;
  /** Incremented on every successful reload. */
  version = 1;

  constructor(readonly file: string, public config: Config, private readonly env: Record<string, string | undefined> = process.env) {
    this.built = buildGateway(config, env);
  }

  /** The gateway new requests use. */
  get current(): BuiltGateway {
    return this.built;
  }

  /** Re-reads the file; on success swaps the gateway, on failure logs every problem and keeps the old one. */
  async reload(reason: string): Promise<boolean> {
    const result = await loadConfigFile(this.file, this.env);
    if (!result.ok) {
      for (const p of result.problems) console.error(formatProblem(this.file, p));
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "config reload refused; the previous config keeps serving", reason, problems: result.problems.length }));
      return false;
    }
    try {
      this.built = buildGateway(result.config, this.env, this.built.store);
    } catch (err) {
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "config reload failed to build; the previous config keeps serving", reason, error: (err as Error).message }));
      return false;
    }
    this.config = result.config;
    this.version++;
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "info", msg: "config reloaded", reason, version: this.version, models: this.built.models }));
    return true;
  }
}
