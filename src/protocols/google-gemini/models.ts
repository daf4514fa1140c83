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

const PAGE = 50;
const MAX_PAGE = 1000;

/** GET /{v}/models in Google's shape, a page at a time: `pageSize` (50, at most 1000) and the `pageToken` the last page gave. */
export function geminiModelList(models: ModelListing[], _createdAt?: Date, query?: URLSearchParams): object {
  const size = Math.min(MAX_PAGE, Math.max(1, Math.floor(Number(query?.get("pageSize")) || PAGE)));
  const from = Math.max(0, Math.floor(Number(query?.get("pageToken")) || 0)); // an opaque token to clients: the offset
  const page = models.slice(from, from + size);
  return from + size < models.length ? { models: page.map(geminiModel), nextPageToken: String(from + size) } : { models: page.map(geminiModel) };
}
