import type { ModelListing } from "../../core";

/** GET /v1/models in OpenAI's shape. */
export function openaiModelList(models: ModelListing[], createdAt: Date): object {
  const created = Math.floor(createdAt.getTime() / 1000);
  return { object: "list", data: models.map((m) => ({ id: m.id, object: "model", created, owned_by: "octollm" })) };
}
