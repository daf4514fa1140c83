/** The OpenAI `GET /v1/models` list shape. */
export function openaiModelList(ids: string[], createdAt: Date): object {
  const created = Math.floor(createdAt.getTime() / 1000);
  return { object: "list", data: ids.map((id) => ({ id, object: "model", created, owned_by: "octollm" })) };
}
