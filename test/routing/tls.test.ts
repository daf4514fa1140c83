// HTTPS (#14.8): server.tls serves with Bun's built-in TLS, using a self-signed certificate made here.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { loadConfigText } from "../../src/config";
import { createGateway, GatewayStartError } from "../../src/gateway";

const dir = mkdtempSync(join(tmpdir(), "octollm-tls-"));
const cert = join(dir, "cert.pem"),
  key = join(dir, "key.pem");
const made = Bun.spawnSync([
  "openssl",
  "req",
  "-x509",
  "-newkey",
  "ec",
  "-pkeyopt",
  "ec_paramgen_curve:prime256v1",
  "-nodes",
  "-days",
  "2",
  "-subj",
  "/CN=127.0.0.1",
  "-addext",
  "subjectAltName=IP:127.0.0.1",
  "-keyout",
  key,
  "-out",
  cert,
]);
if (made.exitCode !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr.toString()}`);

const config = (certFile: string) => {
  const r = loadConfigText(
    `server:\n  tls: { cert_file: "${certFile}", key_file: "${key}" }\nmodels:\n  m:\n    backends: { "default:1": { provider: mock } }\n`,
    {},
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
};
const stops: (() => void)[] = [];
afterAll(() => {
  for (const stop of stops) stop();
});

test("the gateway serves HTTPS, and a client that trusts the certificate talks to it", async () => {
  const gw = await createGateway({ source: { config: config(cert) }, env: {}, accessLog: { sink: { write: () => {} } } });
  const server = gw.listen("127.0.0.1", 0);
  stops.push(() => server.stop(true));
  expect(server.url.protocol).toBe("https:");
  const ca = readFileSync(cert, "utf8");
  const r = await fetch(`https://127.0.0.1:${server.port}/healthz`, { tls: { ca } } as RequestInit);
  expect(r.status).toBe(200);
  const client = new Anthropic({
    baseURL: `https://127.0.0.1:${server.port}`,
    apiKey: "x",
    fetch: ((url: string, init: RequestInit) => fetch(url, { ...init, tls: { ca } } as RequestInit)) as any,
  });
  const msg = await client.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
  expect(msg.content[0]!.type).toBe("text");
  // plain HTTP is not served on the TLS port
  expect(
    await fetch(`http://127.0.0.1:${server.port}/healthz`).then(
      (x) => x.status,
      () => "refused",
    ),
  ).not.toBe(200);
});

test("an unreadable certificate refuses to start, naming the file", async () => {
  const missing = join(dir, "nope.pem");
  const err = await createGateway({ source: { config: config(missing) }, env: {} }).catch((e) => e);
  expect(err).toBeInstanceOf(GatewayStartError);
  expect(err.message).toContain(missing);
});
