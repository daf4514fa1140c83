// Anthropic stream events as SSE text.

/** One event: `event: <type>` and its data with `type` first. The JSON is built by concatenation (no spread, no copy): converters call this for every chunk. */
export function anthropicEvent(type: string, data: object): string {
  const rest = JSON.stringify(data);
  return `event: ${type}\ndata: {"type":"${type}"${rest.length > 2 ? "," + rest.slice(1) : "}"}\n\n`;
}
