// The stream pipeline: stages in order, observers told once, idle timeout, failures answered by a stage or
// the error tail, read-ahead of complete answers, run once.
import { describe, expect, test } from "bun:test";
import { StreamPipeline, type StreamStage, type TokenUsage } from "../../src/core";

const enc = (t: string) => new TextEncoder().encode(t);
const source = (chunks: string[], hang = false) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc(ch));
      if (!hang) c.close();
    },
  });
const paced = (chunks: string[], delayMs: number) => {
  let i = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        if (i > 0) await Bun.sleep(delayMs);
        if (i < chunks.length) c.enqueue(enc(chunks[i++]!));
        else c.close();
      },
    },
    { highWaterMark: 0 },
  );
};
/** A stage that wraps what passes in `tag(...)`, ends with `tag.end`, and answers failures when told to. */
const tagStage = (tag: string, opts: { answers?: boolean; doneAfter?: number; usage?: TokenUsage } = {}): StreamStage & { seen: string[] } => {
  const seen: string[] = [];
  let done = false;
  return {
    seen,
    push(text) {
      seen.push(text);
      if (opts.doneAfter !== undefined && seen.length >= opts.doneAfter) done = true;
      return `${tag}(${text})`;
    },
    end: () => `${tag}.end`,
    fail: (err) => ({ out: `${tag}.fail(${(err as Error).message})`, answered: opts.answers === true }),
    get done() {
      return done;
    },
    usage: opts.usage,
  };
};

describe("StreamPipeline", () => {
  test("counts bytes and tells every observer once", async () => {
    const ends: any[] = [];
    const p = StreamPipeline.of(source(["ab", "cde"]))
      .onEnd((o) => ends.push(o))
      .onEnd((o) => ends.push(o.bytes));
    expect(await new Response(p.readable()).text()).toBe("abcde");
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({ bytes: 5, cancelled: false });
    expect(typeof ends[0].firstByteAt).toBe("number");
    expect(ends[1]).toBe(5);
  });

  test("stages run in the order they were added, each seeing the previous one's output", async () => {
    const a = tagStage("a"),
      b = tagStage("b");
    const out = await new Response(
      StreamPipeline.of(source(["x"]))
        .through(a)
        .through(b)
        .readable(),
    ).text();
    expect(out).toBe("b(a(x))b(a.end)b.end");
    expect(b.seen).toEqual(["a(x)", "a.end"]);
  });

  test("deriving a pipeline leaves the one it came from as it was", () => {
    const base = StreamPipeline.of(source(["x"]));
    const derived = base
      .through(tagStage("a"))
      .onEnd(() => {})
      .idleTimeout(10);
    expect(base.parts.stages).toHaveLength(0);
    expect(base.parts.observers).toHaveLength(0);
    expect(base.parts.idleMs).toBe(0);
    expect(derived.parts.stages).toHaveLength(1);
  });

  test("the tightest idle timeout wins", () => {
    const p = StreamPipeline.of(source([])).idleTimeout(500).idleTimeout(100).idleTimeout(300).idleTimeout(0);
    expect(p.parts.idleMs).toBe(100);
  });

  test("a stage that completes its output ends the stages after it and the rest of the source is not sent", async () => {
    const a = tagStage("a", { doneAfter: 1 }),
      b = tagStage("b");
    const out = await new Response(
      StreamPipeline.of(paced(["x", "y", "z"], 5))
        .through(a)
        .through(b)
        .readable(),
    ).text();
    expect(out).toBe("b(a(x))b.end");
    expect(a.seen).toEqual(["x"]);
  });

  test("a failure answered by a stage ends the stream cleanly, later stages see that answer", async () => {
    const a = tagStage("a", { answers: true }),
      b = tagStage("b");
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error("boom"));
      },
    });
    const ends: any[] = [];
    const out = await new Response(
      StreamPipeline.of(failing)
        .through(a)
        .through(b)
        .onEnd((o) => ends.push(o))
        .readable(),
    ).text();
    expect(out).toBe("b(a.fail(boom))b.end");
    expect(ends[0].error.message).toBe("boom");
  });

  test("a failure no stage answers gets the error tail after what the stages released", async () => {
    const a = tagStage("a");
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error("boom"));
      },
    });
    const p = StreamPipeline.of(failing)
      .through(a)
      .withErrorTail((err, atBoundary) => enc(`[${atBoundary}:${(err as Error).message}]`));
    expect(await new Response(p.readable()).text()).toBe("a.fail(boom)[false:boom]");
  });

  test("a failure with no stage and no error tail errors the readable", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error("boom"));
      },
    });
    expect(new Response(StreamPipeline.of(failing).readable()).text()).rejects.toThrow("boom");
  });

  test("idle timeout closes with the error tail at an event boundary", async () => {
    const ends: any[] = [];
    const p = StreamPipeline.of(source(["data: 1\n\n", "data: par"], true))
      .idleTimeout(50)
      .onEnd((o) => ends.push(o))
      .withErrorTail((err, atBoundary) => enc(`${atBoundary ? "" : "\n\n"}data: ${(err as Error).name}\n\n`));
    expect(await new Response(p.readable()).text()).toBe("data: 1\n\ndata: par\n\ndata: StreamIdleTimeout\n\n");
    expect(ends[0].error.name).toBe("StreamIdleTimeout");
  });

  test("a reader that cancels is reported as cancelled", async () => {
    const ends: any[] = [];
    const r = StreamPipeline.of(source(["a"], true))
      .onEnd((o) => ends.push(o))
      .readable()
      .getReader();
    await r.read();
    await r.cancel();
    expect(ends).toMatchObject([{ bytes: 1, cancelled: true }]);
  });

  test("cancelling a pipeline nobody ran tells its observers and cancels the source", async () => {
    let cancelled: unknown;
    const src = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelled = reason;
      },
    });
    const ends: any[] = [];
    await StreamPipeline.of(src)
      .onEnd((o) => ends.push(o))
      .cancel("not wanted");
    expect(ends).toEqual([{ bytes: 0, cancelled: true }]);
    expect(cancelled).toBe("not wanted");
  });

  test("a pipeline runs once, also through a pipeline derived from the same source", () => {
    const base = StreamPipeline.of(source(["x"]));
    base.through(tagStage("a")).run();
    expect(() => base.run()).toThrow("runs once");
    expect(base.started).toBe(true);
  });

  test("usage: a stage that knows it exactly wins over the meter", async () => {
    const meter = { feed: () => {}, usage: { input: 1, output: 1 } };
    const told: any[] = [];
    const exact = { input: 7, output: 9 };
    await new Response(
      StreamPipeline.of(source(["x"]), meter)
        .through(tagStage("a", { usage: exact }))
        .onEnd((o) => told.push(o.usage))
        .readable(),
    ).text();
    await new Response(
      StreamPipeline.of(source(["x"]), meter)
        .onEnd((o) => told.push(o.usage))
        .readable(),
    ).text();
    expect(told).toEqual([exact, { input: 1, output: 1 }]);
  });

  test("a stage holding input is flushed after its hold time even while the source is quiet", async () => {
    let held = "";
    const stage: StreamStage = {
      push: (t) => {
        held += t;
        return "";
      },
      end: () => held,
      fail: () => ({ out: "", answered: false }),
      done: false,
      holdingMs: () => (held ? 30 : 0),
      flush: async () => {
        const out = `[${held}]`;
        held = "";
        return out;
      },
    };
    const r = StreamPipeline.of(source(["abc"], true))
      .through(stage)
      .readable()
      .getReader();
    const first = await r.read(); // the source never sends more: the held text comes out after 30 ms
    expect(new TextDecoder().decode(first.value)).toBe("[abc]");
    await r.cancel();
  });
});

describe("takeIfComplete", () => {
  test("a stream whose bytes are all there comes back whole, and counts as ended", async () => {
    const ends: any[] = [];
    const run = StreamPipeline.of(source(["data: 1\n\n", "data: 2\n\n"]))
      .onEnd((o) => ends.push(o))
      .run();
    expect(new TextDecoder().decode(await run.takeIfComplete())).toBe("data: 1\n\ndata: 2\n\n");
    expect(ends).toMatchObject([{ bytes: 18, cancelled: false }]);
  });
  test("a paced stream is left streaming, and still yields every byte in order", async () => {
    const run = StreamPipeline.of(paced(["a", "b", "c"], 30)).run();
    expect(await run.takeIfComplete()).toBeUndefined();
    expect(await new Response(run.readable).text()).toBe("abc");
  });
  test("a big ready stream stops reading ahead at maxBytes", async () => {
    const run = StreamPipeline.of(source(Array.from({ length: 10 }, () => "x".repeat(100)))).run();
    expect(await run.takeIfComplete(250)).toBeUndefined();
    expect((await new Response(run.readable).text()).length).toBe(1000);
  });
  test("a source that fails before its first chunk still ends with the error tail", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error("boom"));
      },
    });
    const run = StreamPipeline.of(failing)
      .withErrorTail((err) => enc(`data: ${(err as Error).message}\n\n`))
      .run();
    expect(await run.takeIfComplete()).toBeUndefined();
    expect(await new Response(run.readable).text()).toBe("data: boom\n\n");
  });
  test("once the readable is being read, there is no read-ahead", async () => {
    const run = StreamPipeline.of(source(["a"])).run();
    const reader = run.readable.getReader();
    expect(await run.takeIfComplete()).toBeUndefined();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("a");
  });
});
