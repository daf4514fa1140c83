// The gateway's dashboard: its live collector (a request observer), login sessions and files, and the routes
// on /admin/ui; plus the line `serve` prints so that the dashboard is found in the first minute.
import type { AuthThrottle } from "../admin";
import type { ConfigDatabase, LiveConfig } from "../config";
import { isLoopback } from "../core";
import { DbSessions, LiveCollector, UiAssets, UiSessions, dashboardRoute, type DashboardContext } from "../dashboard";
import type { GatewayMetrics } from "../metrics";
import type { Route } from "../server";
import type { UsageLedger } from "./ledger";

/** What the dashboard reads from its gateway. */
export interface DashboardSources {
  live: LiveConfig;
  ledger(): UsageLedger | undefined;
  metrics?: GatewayMetrics;
  adminKey(): string | undefined;
  admin?: Route;
  mode: DashboardContext["mode"];
  throttle: AuthThrottle;
  /** The config database of a fleet: sessions are kept there, so that every instance knows them. */
  db?: ConfigDatabase;
}

/** The dashboard of one gateway. */
export class GatewayDashboard {
  readonly collector = new LiveCollector();
  readonly sessions = new UiSessions();
  /** The address the gateway listens on (the config's until listen() says). */
  host: string;
  private readonly route: Route;

  constructor(private readonly src: DashboardSources) {
    this.host = src.live.config.server.host;
    const admin = src.admin;
    const ctx: DashboardContext = {
      config: () => src.live.config,
      current: () => src.live.current,
      ledger: src.ledger,
      live: this.collector,
      adminKey: src.adminKey,
      admin: admin && (async (req) => admin(req)),
      inFlight: () => src.metrics?.streamsInFlight,
      mode: src.mode,
    };
    this.route = dashboardRoute(ctx, {
      store: src.db ? new DbSessions(src.db.sql) : this.sessions,
      sessions: this.sessions,
      throttle: src.throttle,
      assets: new UiAssets(),
      secure: src.live.config.server.tls !== undefined,
      loopback: () => isLoopback(this.host),
    });
  }

  /** The routes to add to the gateway's. */
  routes(): Record<string, Route> {
    return { "/admin/ui": this.route, "/admin/ui/*": this.route };
  }

  /** How to open the dashboard, for the start-up lines: a one-time link when no admin key is set (loopback only). */
  openLine(baseUrl: string): string {
    const base = baseUrl.replace(/\/$/, "");
    if (this.src.adminKey()) return `dashboard: ${base}/admin/ui (sign in with the admin key)`;
    if (!isLoopback(this.host)) return "dashboard: off on a non-loopback address without an admin key (set server.admin_key or OCTOLLM_ADMIN_KEY)";
    return `dashboard: ${base}/admin/ui/login?token=${this.sessions.issueLink()} (a one-time login link: no admin key is set)`;
  }
}
