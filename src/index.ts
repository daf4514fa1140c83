// OctoLLM as a library: the core types, the engines, the config layer and the server.
export * from "./core";
export * from "./engines";
export * from "./config";
export * from "./server";
export * from "./metrics";
export { renderError, renderErrorEvent, anthropic, openai } from "./protocols";
export { Gateway, GatewayStartError, createGateway, type GatewayInit, type GatewaySource } from "./gateway";
