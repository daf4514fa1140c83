import type { ModelListing } from "../../core";

/** GET /{v}/models in Google's shape: each model with the methods the gateway serves for it. */
export function geminiModelList(models: ModelListing[]): object {
  return {
    models: models.map((m) => ({
      name: `models/${m.id}`,
      baseModelId: m.id,
      version: "gateway",
      displayName: m.displayName,
      description: "served by OctoLLM",
      supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
    })),
  };
}
