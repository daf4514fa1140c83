// Stored Responses API responses: which model and org a response id belongs to.
export { ResponseAffinity, ResponsesAffinityEngine, NoStoredResponsesEngine, responseIdOf, responseNotFound, type ResponseOrigin } from "./affinity";
