// Every engine of the gateway, for the config layer and for library users.
export * from "./upstream";
export * from "./mock";
export * from "./balancer";
export * from "./router";
export * from "./auth";
export * from "./model";
export * from "./rules";
export * from "./rewrite";
export * from "./conversion";
export * from "./limits";
export * from "./moderation";
export * from "./web-search";
export * from "./responses";
export * from "./spend";
