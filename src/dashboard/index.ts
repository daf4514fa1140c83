// The built-in dashboard (/admin/ui): live traffic, requests, spend, backends, sessions, keys and orgs.
export { LiveCollector } from "./live";
export { UiSessions, type SessionStore } from "./sessions";
export { DbSessions } from "./db-sessions";
export { UiAssets } from "./assets";
export { dashboardRoute, type DashboardOptions } from "./routes";
export type { DashboardContext } from "./context";
export { buildUi, EMBEDDED_NAMES } from "./ui-build";
