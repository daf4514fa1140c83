#!/usr/bin/env bun
// Builds the single-file executable: dist/octollm for this machine, and with --all also
// linux-arm64, darwin-arm64, darwin-x64 and windows-x64 (--dist DIR: into DIR instead of dist/; the tests build
// into a temporary folder they remove). Cross targets take Bun's runtime from the
// npm registry (@oven/bun-* packages, via `npm pack`), so nothing is downloaded from anywhere else.
import { $ } from "bun";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildUi, EMBEDDED_NAMES } from "../src/dashboard/ui-build";

const root = resolve(import.meta.dir, "..");
const entry = join(root, "src/cli/main.ts");
// threads started with new Worker(new URL(...)) are entry points of their own, embedded beside the main one
const workers = [join(root, "src/gateway/ledger-writer-worker.ts")];
const distAt = process.argv.indexOf("--dist");
const dist = distAt > 0 ? resolve(process.argv[distAt + 1]!) : join(root, "dist");
const vendor = join(root, "vendor");
const version = Bun.version;

/** A cross-compilation target: Bun's target name, its npm runtime package and the file inside it. */
interface Target {
  name: string;
  bunTarget: string;
  pkg: string;
  exe: string;
}

const CROSS: Target[] = [
  { name: "linux-arm64", bunTarget: "bun-linux-arm64", pkg: "bun-linux-aarch64", exe: "bin/bun" },
  { name: "darwin-arm64", bunTarget: "bun-darwin-arm64", pkg: "bun-darwin-aarch64", exe: "bin/bun" },
  { name: "darwin-x64", bunTarget: "bun-darwin-x64", pkg: "bun-darwin-x64", exe: "bin/bun" },
  { name: "windows-x64", bunTarget: "bun-windows-x64", pkg: "bun-windows-x64", exe: "bin/bun.exe" },
];

const FLAGS = ["--compile", "--minify", "--sourcemap", "--bytecode", "--format=esm", "--production"];

/** Builds the dashboard's files and writes them gzipped where the compile embeds them (names fixed by --asset-naming). */
async function dashboardAssets(): Promise<string[]> {
  const dir = join(dist, ".ui");
  mkdirSync(dir, { recursive: true });
  const files = await buildUi();
  const out: string[] = [];
  for (const [name, embedded] of Object.entries(EMBEDDED_NAMES) as [keyof typeof files, string][]) {
    const path = join(dir, embedded);
    await Bun.write(path, Bun.gzipSync(files[name], { level: 9 }));
    out.push(path);
  }
  return out;
}

async function compile(outfile: string, extra: string[] = []): Promise<void> {
  const started = performance.now();
  const assets = await dashboardAssets();
  await $`${process.execPath} build ${FLAGS} --root=src --asset-naming=[name].[ext] ${extra} ${entry} ${workers} ${assets} --outfile ${outfile}`
    .cwd(root)
    .quiet();
  const size = Bun.file(outfile).size;
  console.log(`built ${outfile} (${(size / 1048576).toFixed(1)} MiB, ${Math.round(performance.now() - started)} ms)`);
}

/** Unpacks @oven/<pkg>@<version> from the npm registry into vendor/ (once) and returns its runtime path. */
async function runtimeFor(t: Target): Promise<string> {
  const dir = join(vendor, `${t.pkg}-${version}`);
  const exe = join(dir, "package", t.exe);
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const tgz = (await $`npm pack ${`@oven/${t.pkg}@${version}`} --silent --pack-destination ${dir}`.cwd(dir).text()).trim().split("\n").pop()!;
  await $`tar -xzf ${join(dir, tgz)} -C ${dir}`;
  await $`rm -f ${join(dir, tgz)}`;
  return exe;
}

mkdirSync(dist, { recursive: true });
await compile(join(dist, "octollm"));
if (process.argv.includes("--all")) {
  for (const t of CROSS) {
    const exe = await runtimeFor(t);
    const out = join(dist, `octollm-${t.name}${t.name.startsWith("windows") ? ".exe" : ""}`);
    await compile(out, [`--target=${t.bunTarget}`, `--compile-executable-path=${exe}`]);
  }
}
