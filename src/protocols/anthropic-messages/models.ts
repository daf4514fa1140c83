import type { ModelListing } from "../../core";

/** GET /v1/models in Anthropic's shape. */
export function anthropicModelList(models: ModelListing[], createdAt: Date): object {
  const created_at = createdAt.toISOString();
  return {
    data: models.map((m) => ({ type: "model", id: m.id, display_name: m.displayName, created_at })),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models[models.length - 1]?.id ?? null,
  };
}
