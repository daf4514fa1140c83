// OpenAI Responses: /v1/responses, its input_tokens and compact endpoints, and the stored-response reads.
import { GatewayError, type ApiFormat, type LazyBody } from "../../core";
import { modelInBody, type ApiCodec } from "../codec";
import { MAX_TOKEN_FIELD, checkCount, checkThinkingBudget } from "../counts";
import { asUsageLimit, bearerAuth, openaiErrors } from "../openai";
import { ResponsesStreamEnding, replacedResponse } from "./ending";
import { responsesAnswerText, responsesEventText, responsesRequestPieces } from "./text";

type Body = Record<string, any>;

/** The Responses codec. */
export const openaiResponses: ApiCodec = {
  api: "openai-responses",
  family: "openai",
  routes: {
    "/v1/responses": "openai.responses",
    "/v1/responses/input_tokens": "openai.responses.input_tokens",
    "/v1/responses/compact": "openai.responses.compact",
  },
  ...openaiErrors,
  // Codex on the Responses API stops only at usage_limit_reached; it sleeps out any other 429's retry-after
  errorAnswer: (err: GatewayError) => openaiErrors.errorAnswer(asUsageLimit(err)),
  model: (body: LazyBody) => body.field("model"),
  withModel: modelInBody,
  checkTokenFields(format: ApiFormat, body: LazyBody): void {
    if (format !== "openai.responses") {
      checkThinkingBudget(body);
      return;
    }
    checkCount(body.field("max_output_tokens"), "max_output_tokens", 0, MAX_TOKEN_FIELD);
    const background = body.field("background");
    // a background response ends after its request did: the gateway could never settle what it cost
    if (background !== undefined && background !== null && background !== false)
      throw new GatewayError(
        "invalid_request",
        "background responses are not served by this gateway (their cost could not be settled); leave background unset",
        { param: "background", code: "unsupported_parameter" },
      );
  },
  capFields: ["max_output_tokens"],
  outputCap(format: ApiFormat, body: Body): number | undefined {
    if (format === "openai.responses") return body.max_output_tokens ?? undefined;
    return format === "openai.responses.compact" ? undefined : 0; // a compaction writes a summary of no stated size
  },
  choices: () => 1,
  upstreamHeaders: bearerAuth,
  requestPieces: responsesRequestPieces,
  answerText: responsesAnswerText,
  eventText: responsesEventText,
  replacedAnswer: replacedResponse,
  streamEnding: (model: string) => new ResponsesStreamEnding(model),
};
