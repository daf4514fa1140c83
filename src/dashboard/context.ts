// What the dashboard reads from the gateway that serves it.
import type { BuiltGateway, Config } from "../config";
import type { UsageLedger } from "../gateway/ledger";
import type { LiveCollector } from "./live";

/** The gateway as the dashboard sees it. */
export interface DashboardContext {
  config(): Config;
  current(): BuiltGateway;
  ledger(): UsageLedger | undefined;
  live: LiveCollector;
  /** The admin key (undefined: none configured; the dashboard then opens by one-time link on loopback only). */
  adminKey(): string | undefined;
  /** The admin API of a config database (keys and budgets are written through it); absent in file mode. */
  admin?: (req: Request) => Promise<Response>;
  /** Streamed answers going out now. */
  inFlight(): number | undefined;
  /** Where the config comes from: a file, a database, or a value given in code. */
  mode: "file" | "database" | "config";
}
