// Prometheus metrics of the gateway.
export { Counter, Gauge, Histogram, Registry } from "./registry";
export { GatewayMetrics, type MetricsSources } from "./gateway-metrics";
