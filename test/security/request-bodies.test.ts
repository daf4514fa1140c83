// #12.7: a request body that stalls, or trickles, is refused with 408 instead of holding a connection forever.
import { afterAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { buildGateway, loadConfigText } from "../../src/config";
import { AccessLog, startServer } from "../../src/server";

const r = loadConfigText(`models:\n  m:\n    backends:\n      default:1: { provider: mock }\n`);
if (!r.ok) throw new Error("bad config");
const gw = buildGateway(r.config);
const server = startServer(() => gw, { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, bodyTimeoutMs: 300, accessLog: new AccessLog({ write() {} }) });
afterAll(() => server.stop(true));

/** Opens a raw connection, lets `drive` write to it, and resolves with what the server answered (`drive`'s cleanup runs at the end). */
function rawExchange(drive: (socket: Socket) => () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port!, "127.0.0.1");
    let got = "";
    let stop = () => {};
    const finish = () => {
      stop();
      socket.destroy();
      resolve(got);
    };
    socket.on("connect", () => {
      stop = drive(socket);
    });
    socket.on("data", (d) => {
      got += d.toString();
      setTimeout(finish, 50);
    });
    socket.on("close", finish);
    socket.on("error", reject);
    setTimeout(finish, 5000);
  });
}

/** Sends the head and the first part of a body, then `trickle` tiny chunks 100 ms apart, then nothing. */
function stalledUpload(head: string, first: string, trickle = 0): Promise<string> {
  return rawExchange((socket) => {
    socket.write(head + first);
    let n = 0;
    const timer = trickle ? setInterval(() => (n++ < trickle ? socket.write("1\r\n \r\n") : clearInterval(timer)), 100) : undefined;
    return () => clearInterval(timer);
  });
}

test("a declared body that stops arriving gets 408 in the caller's shape", async () => {
  const body = `{"model":"m","messages":[`;
  const answer = await stalledUpload(`POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`, body);
  expect(answer).toMatch(/^HTTP\/1.1 408/);
  expect(answer).toContain(`"type":"error"`);
  expect(answer).toContain("request body did not arrive within");
});

test("a declared body that trickles (slowloris) is cut at its deadline however often bytes come", async () => {
  const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
  const answer = await rawExchange((socket) => {
    socket.write(head);
    const timer = setInterval(() => socket.write("x"), 50); // a byte every 50 ms: never idle
    return () => clearInterval(timer);
  });
  expect(answer).toMatch(/^HTTP\/1.1 408/); // within 300 ms + 1000 bytes at 256 KiB/s, long before the 5 s give-up
});

test("a chunked body that trickles, then stops, gets 408 once it is silent; trickling bytes keep it alive", async () => {
  const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
  const started = performance.now();
  const answer = await stalledUpload(head, `5\r\n{"mod\r\n`, 5); // 5 more bytes 100 ms apart, then silence
  expect(answer).toMatch(/^HTTP\/1.1 408/);
  expect(answer).toContain(`"error":{`);
  expect(performance.now() - started).toBeGreaterThan(500); // the trickle was not cut while it was live
});
