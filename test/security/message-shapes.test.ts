// #23.22: a converted route refuses a message that is not an object with a role it knows (400 naming it), as the
// upstream API would, instead of dropping it and serving the rest.
import { afterAll, expect, test } from "bun:test";
import { convertingGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream();
afterAll(() => upstream.stop());
const { gw } = await convertingGateway(upstream.url);
afterAll(() => gw.shutdown());

test("messages: [null], [1], [{}] and an unknown role get 400 naming the message, on both converted directions", async () => {
  const before = upstream.seen.length;
  for (const bad of [null, 1, {}, { role: "robot", content: "x" }, []]) {
    const a = await gw.fetch(
      new Request("http://gw/v1/messages", {
        method: "POST",
        body: JSON.stringify({ model: "on-chat", max_tokens: 5, messages: [{ role: "user", content: "hi" }, bad] }),
      }),
    );
    expect(a.status).toBe(400);
    expect(((await a.json()) as any).error.message).toStartWith("messages.1:");
    const o = await gw.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: "on-claude", messages: [{ role: "user", content: "hi" }, bad] }),
      }),
    );
    expect(o.status).toBe(400);
    expect(((await o.json()) as any).error.param).toBe("messages.1");
  }
  expect(upstream.seen.length).toBe(before);
});
