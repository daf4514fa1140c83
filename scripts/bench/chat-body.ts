// The chat request bodies bench:cpu and stages.ts send: a small chat, or a ~200 KB conversation (one long
// string with BENCH_ONE_STRING=1, to separate what a body's structure costs from its size).

function conversation(bytes: number): object[] {
  const messages: object[] = [{ role: "system", content: "You are a helpful assistant." }];
  for (let i = 0; JSON.stringify(messages).length < bytes; i++)
    messages.push({ role: i % 2 ? "assistant" : "user", content: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20) });
  return messages;
}

/** The JSON body for model `bench`: `big` is ~200 KB. */
export function chatBody(big: boolean): string {
  const messages = process.env.BENCH_ONE_STRING
    ? [{ role: "user", content: "Lorem ipsum dolor sit amet. ".repeat(7400) }]
    : big
      ? conversation(200 * 1024)
      : [{ role: "user", content: "Hello, how are you today? Tell me a story." }];
  return JSON.stringify({ model: "bench", max_tokens: 256, messages });
}
