// What OpenAI's APIs (chat and Responses) share on the wire: the error answers and model lists, and the key as a bearer token.
import type { GatewayError } from "../../core";
import type { UpstreamAuth } from "../codec";
import { openaiErrorBody, openaiErrorEvent, openaiErrorStatus } from "./errors";
import { openaiModelList } from "./models";

/** The OpenAI family's way of sending the operator's key: a bearer token. */
export function bearerAuth(headers: Headers, auth: UpstreamAuth): void {
  if (auth.key) headers.set("authorization", `Bearer ${auth.key}`);
}

/** The OpenAI family's errors: the status OpenAI clients know and `{"error":{…}}`. */
export const openaiErrors = {
  errorAnswer: (err: GatewayError) => ({ status: openaiErrorStatus(err), body: openaiErrorBody(err) }),
  errorEvent: openaiErrorEvent,
  modelList: openaiModelList,
};
