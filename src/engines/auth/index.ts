// API-key authentication.
export { ApiKeys, AuthEngine, invalidKey } from "./api-keys";
export { hashApiKey, isHashedKey, newApiKey, HASH_PREFIX } from "./key-hash";
