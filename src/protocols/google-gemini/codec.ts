// The Gemini API (generateContent): POST /{v}/models/{name}:{generateContent|streamGenerateContent|countTokens},
// the model named in the path, google.rpc.Status errors, the key in x-goog-api-key.
import type { ApiFormat, GatewayError, LazyBody } from "../../core";
import type { ApiCodec, UpstreamAuth } from "../codec";
import { MAX_CHOICES, MAX_TOKEN_FIELD, checkCount } from "../counts";
import { GeminiStreamEnding, replacedGeminiAnswer } from "./ending";
import { geminiErrorBody, geminiErrorEvent, geminiErrorStatus } from "./errors";
import { geminiModel, geminiModelList } from "./models";
import { fillGeminiPath, GEMINI_VERSIONS, geminiCall, geminiClientAuth, geminiFormat, isGeminiCaller, withPathModel } from "./path";
import { geminiAnswerText, geminiRequestPieces } from "./text";

type Body = Record<string, any>;

/** A generationConfig value, when it is an object. */
function generationConfig(g: unknown): Body | undefined {
  return g && typeof g === "object" && !Array.isArray(g) ? (g as Body) : undefined;
}

/** The Gemini codec. */
export const googleGemini: ApiCodec = {
  api: "google-gemini",
  family: "google",
  routes: Object.fromEntries(GEMINI_VERSIONS.map((v) => [`/${v}/models/*`, "gemini.generate" as ApiFormat])),
  listRoutes: ["/v1beta/models", "/v1alpha/models"],
  claims: isGeminiCaller,
  formatOf: geminiFormat,
  clientAuth: geminiClientAuth,
  model: (_body: LazyBody, path: string) => geminiCall(path).model,
  withModel: (req, model) => ({ body: req.body, path: withPathModel(req.path, model) }),
  fillPath: fillGeminiPath,
  checkTokenFields(_format: ApiFormat, body: LazyBody): void {
    const g = generationConfig(body.field("generationConfig"));
    if (!g) return;
    checkCount(g.maxOutputTokens, "generationConfig.maxOutputTokens", 0, MAX_TOKEN_FIELD);
    checkCount(g.candidateCount, "generationConfig.candidateCount", 1, MAX_CHOICES);
    const thinking = g.thinkingConfig;
    if (thinking && typeof thinking === "object") checkCount(thinking.thinkingBudget, "generationConfig.thinkingConfig.thinkingBudget", -1, MAX_TOKEN_FIELD);
  },
  capFields: ["generationConfig"],
  outputCap: (format: ApiFormat, body: Body) =>
    format === "gemini.count_tokens" ? 0 : (generationConfig(body.generationConfig)?.maxOutputTokens ?? undefined),
  choices: (body: Body) => generationConfig(body.generationConfig)?.candidateCount ?? 1,
  errorAnswer: (err: GatewayError, requestId: string) => ({ status: geminiErrorStatus(err), body: geminiErrorBody(err, requestId) }),
  errorEvent: geminiErrorEvent,
  modelList: geminiModelList,
  modelEntry: geminiModel,
  upstreamHeaders(headers: Headers, auth: UpstreamAuth): void {
    if (auth.key) return void headers.set("x-goog-api-key", auth.key);
    const own = headers.get("x-api-key"); // auth: client: the client's own Google key, where Google reads it
    if (own) {
      headers.delete("x-api-key");
      headers.set("x-goog-api-key", own);
    }
  },
  requestPieces: geminiRequestPieces,
  answerText: (body: Body) => geminiAnswerText(body),
  eventText: (event: Body) => geminiAnswerText(event, ""),
  replacedAnswer: replacedGeminiAnswer,
  streamEnding: (model: string) => new GeminiStreamEnding(model),
};
