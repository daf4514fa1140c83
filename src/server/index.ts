// The HTTP server around the engines.
export { startServer, gatewayRoutes, routeRequests, type GatewayState, type ServerOptions, type ReadyReport, type Route, type GatewayRoutes } from "./server";
export { llmHandler, chatCompletionsHandler, messagesHandler, type HandlerOptions, type RouteHandler } from "./handler";
export { AccessLog, type LineSink } from "./access-log";
export type { AccessRecord, RequestObserver } from "../core";
export { readBody } from "./body-reader";
export { nextRequestId } from "./request-id";
export { keyCheck } from "./key-check";
