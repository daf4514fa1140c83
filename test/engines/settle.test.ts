// Token reservations settle to the usage a stream reported, also when the client hangs up mid-stream.
import { expect, test } from "bun:test";
import type { LLMResponse } from "../../src/core";
import { meteredStream } from "../../src/protocols";
import { Limiter, MemoryLimitStore, take } from "../../src/engines";
import { settleOnEnd } from "../../src/engines/model/limits";

test("a client that hangs up after message_start is charged the usage seen so far, not its reservation", async () => {
  const now = 1_000_000;
  const store = new MemoryLimitStore(() => now);
  const limiter = new Limiter(store);
  const a = await limiter.admit("k", { tpm: 10_000 }, () => 5_000);
  expect(a.ok).toBe(true);
  let push!: (s: string) => void;
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      push = (s) => c.enqueue(new TextEncoder().encode(s));
    },
  });
  const res: LLMResponse = { status: 200, headers: new Headers(), stream: meteredStream(src) };
  let told: object | undefined;
  const admission = (a as any).admission;
  const settled = settleOnEnd(limiter, [admission], res, {}, (end) => void limiter.settle(admission, end?.usage && end.usage.input + end.usage.output));
  const reader = settled
    .stream!.onEnd((o) => (told = o.usage))
    .readable()
    .getReader();
  push(`event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":300,"output_tokens":1}}}\n\n`);
  await reader.read();
  await reader.cancel(); // the client goes away
  await Bun.sleep(10);
  // 301 tokens are charged: 9,699 remain of the 10,000 budget
  expect((await take(store, "k:tpm", 9_699, 10_000, 60_000)).allowed).toBe(true);
  expect((await take(store, "k:tpm", 1, 10_000, 60_000)).allowed).toBe(false);
  expect(told).toEqual({ input: 300, output: 1 }); // the same usage the access log is told
  store.close();
});
