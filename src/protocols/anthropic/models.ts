/** The Anthropic `GET /v1/models` list shape. */
export function anthropicModelList(ids: string[], createdAt: Date): object {
  const created_at = createdAt.toISOString();
  return {
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  };
}
