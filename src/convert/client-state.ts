// `reasoning_opaque` is the gateway's own field: its converters carry another API's reasoning state in it (an
// Anthropic signature, a Responses encrypted_content) through the chat form. A chat client that sends one is not
// believed: only state the gateway itself put there (and verified) goes upstream.

type Body = Record<string, any>;

/** The client's chat messages without any `reasoning_opaque` (a new list; the messages given are not changed). */
export function withoutClientState(messages: unknown[]): unknown[] {
  if (!messages.some((m) => (m as Body)?.reasoning_opaque !== undefined)) return messages;
  return messages.map((m) => {
    if ((m as Body)?.reasoning_opaque === undefined) return m;
    const { reasoning_opaque: _, ...rest } = m as Body;
    return rest;
  });
}
