// Stored Responses API responses: which org, model and backend a response id belongs to.
export { ResponsesAffinityEngine, NoStoredResponsesEngine, responseIdOf, responseNotFound } from "./affinity";
export { MemoryResponseOwners, RedisResponseOwners, type ResponseOwners, type ResponseOrigin } from "./owners";
