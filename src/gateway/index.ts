// The gateway as one object: config source, engines, access log, metrics, admin API, readiness, shutdown.
export { Gateway, GatewayStartError, createGateway, type GatewayInit, type GatewaySource } from "./gateway";
export { metricsSources, readiness } from "./status";
