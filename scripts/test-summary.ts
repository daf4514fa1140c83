#!/usr/bin/env bun
// Runs `bun test` (arguments passed through), streams its output unchanged, then prints one closing line
// "N passed, N failed[, N skipped]" from bun's own summary counters, and keeps bun's exit code.
// bun's JUnit report leaves out files that fail to load, so the console summary is the source; JUnit is a cross-check.
// Test files that need Redis or PostgreSQL are skipped, with one line that says so, when those do not answer
// (outside CI: see test-services.ts).
import { resolve } from "node:path";
import { serviceArgs } from "./test-services";

let services: Awaited<ReturnType<typeof serviceArgs>>;
try {
  services = await serviceArgs(resolve(import.meta.dir, ".."));
} catch (err) {
  console.error(`test-summary: ${(err as Error).message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (services.note) console.error(services.note);
const junit = `${process.env.TMPDIR ?? "/tmp"}/bun-junit-${process.pid}.xml`;
const proc = Bun.spawn([process.execPath, "test", "--reporter=junit", `--reporter-outfile=${junit}`, ...services.args, ...process.argv.slice(2)], {
  stdout: "pipe",
  stderr: "pipe",
  env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
});
let captured = "";
async function pump(src: ReadableStream<Uint8Array>, dst: NodeJS.WriteStream) {
  const dec = new TextDecoder();
  for await (const chunk of src) {
    dst.write(chunk);
    captured += dec.decode(chunk, { stream: true });
  }
}
await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
const code = await proc.exited;
const count = (word: string) => {
  const m = [...captured.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, "gm"))];
  return m.length ? Number(m[m.length - 1]![1]) : null;
};
const pass = count("pass"),
  fail = count("fail"),
  error = count("errors?"),
  skip = count("skip"),
  todo = count("todo");
try {
  const xml = await Bun.file(junit).text();
  const top = xml.match(/<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"/);
  if (top) console.error(`test-summary: junit tests=${top[1]} failures=${top[2]}; console pass=${pass} fail=${fail} error=${error ?? 0}`);
  await Bun.file(junit).delete();
} catch {}
if (pass === null && fail === null) {
  console.error(`test-summary: no bun test summary found (exit ${code})`);
  process.exit(code === 0 ? 1 : code);
}
// bun counts a file that fails to load as 1 fail and 1 error; do not add them
const failed = Math.max(fail ?? 0, error ?? 0);
const skipped = (skip ?? 0) + (todo ?? 0);
if (services.note) console.error(`\n${services.note}`); // said again at the end, where it is read
console.log(`\n${pass ?? 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
