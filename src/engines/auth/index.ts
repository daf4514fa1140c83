// API-key authentication.
export { ApiKeys, AuthEngine } from "./api-keys";
