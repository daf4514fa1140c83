// JSON rewrites of requests, responses and stream chunks.
export { RewriteEngine, type RewriteOptions } from "./rewrite-engine";
export { RewritePolicy, mergePolicies, type RewritePolicyConfig } from "./policy";
export { parsePath, setPath, removePath, type JsonPath } from "./paths";
export { UpstreamModelEngine } from "./upstream-model";
export { RewriteSchema, REWRITE_FIELDS, withRewrites } from "./config";
