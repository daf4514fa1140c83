// The HTTP server around the engines.
export { startServer, type GatewayState, type ServerOptions } from "./server";
export { llmHandler, chatCompletionsHandler, messagesHandler, type HandlerOptions, type RouteHandler } from "./handler";
export { AccessLog, type AccessRecord, type LineSink } from "./access-log";
export { readBody } from "./body-reader";
export { nextRequestId } from "./request-id";
