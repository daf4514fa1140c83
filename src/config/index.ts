// Configuration: schema, loading with positions, and building engines from it.
export {
  ConfigSchema,
  BackendSchema,
  ModelBackendSchema,
  ModelSchema,
  ServerSchema,
  ADMIN_KEY_MIN,
  isHttpUrl,
  type Config,
  type BackendConfig,
  type ModelBackendConfig,
} from "./schema";
export { loadConfigFile, loadConfigText, loadConfigValue, formatProblem, type ConfigProblem, type LoadResult } from "./load";
export { buildGateway, buildBackend, upstreamKeyUse, TIMEOUT_DEFAULTS, type BuiltGateway } from "./build";
export { resolveBackend } from "./resolve";
export { defaultPoolWeight } from "./pool-name";
export { LiveConfig, fileLoader, type ConfigLoader } from "./live";
export { watchConfig, type StopWatching, type WatchOptions } from "./watch";
export * from "./db";
export { configSecrets } from "./secrets";
export { describeRoutes, formatRoutes, type ModelRoute, type BackendRoute } from "./routes";
export { configJsonSchema } from "./json-schema";
export { FLEET_WITHOUT_REDIS } from "./warnings";
