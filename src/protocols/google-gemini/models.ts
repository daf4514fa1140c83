import type { ModelListing } from "../../core";

/** One model in Google's shape, with the methods the gateway serves for it. */
export function geminiModel(m: ModelListing): object {
  return {
    name: `models/${m.id}`,
    baseModelId: m.id,
    version: "gateway",
    displayName: m.displayName,
    description: "served by OctoLLM",
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

/** GET /{v}/models in Google's shape. */
export function geminiModelList(models: ModelListing[]): object {
  return { models: models.map(geminiModel) };
}
