#!/usr/bin/env bun
// A release in dist/release/: the executable for linux x64 and arm64, darwin x64 and arm64 and windows x64
// (Bun runtimes from the npm registry), the library as an npm package (bundled JavaScript with .d.ts type
// declarations and the `octollm` command), install.sh, and SHA256SUMS over all of it.
// Usage: bun scripts/release.ts [--host-only] [--dist DIR]   (--host-only: just this machine's executable; --dist:
// build into DIR instead of dist/; both for tests)
import { $ } from "bun";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };

const root = resolve(import.meta.dir, "..");
const distAt = process.argv.indexOf("--dist");
const dist = distAt > 0 ? resolve(process.argv[distAt + 1]!) : join(root, "dist");
const out = join(dist, "release");
const hostOnly = process.argv.includes("--host-only");
const HOST = `${process.platform}-${process.arch}`;
const TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// executables
await $`${process.execPath} ${join(root, "scripts/build.ts")} ${hostOnly ? [] : ["--all"]} --dist ${dist}`.cwd(root);
for (const target of hostOnly ? [HOST] : TARGETS) {
  const built = target === HOST ? join(dist, "octollm") : join(dist, `octollm-${target}${target.startsWith("windows") ? ".exe" : ""}`);
  const name = `octollm-${pkg.version}-${target}${target.startsWith("windows") ? ".exe" : ""}`;
  copyFileSync(built, join(out, name));
  chmodSync(join(out, name), 0o755);
}

// the npm package: bundled ESM for Bun (dependencies stay dependencies), declarations from tsc
const npm = join(dist, "npm");
rmSync(npm, { recursive: true, force: true });
const external = Object.keys(pkg.dependencies).flatMap((d) => ["--external", d]);
await $`${process.execPath} build ${join(root, "src/index.ts")} --target=bun --format=esm ${external} --outfile ${join(npm, "dist/index.js")}`
  .cwd(root)
  .quiet();
await $`${process.execPath} build ${join(root, "src/cli/main.ts")} --target=bun --format=esm ${external} --outfile ${join(npm, "dist/cli.js")}`
  .cwd(root)
  .quiet();
await $`${join(root, "node_modules/.bin/tsc")} -p ${join(root, "tsconfig.lib.json")} --outDir ${join(npm, "dist")}`.cwd(root);
writeFileSync(
  join(npm, "package.json"),
  JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", bun: "./dist/index.js", default: "./dist/index.js" } },
      types: "./dist/index.d.ts",
      bin: { octollm: "./dist/cli.js" },
      engines: { bun: `>=${pkg.devDependencies.bun}` },
      dependencies: pkg.dependencies,
      peerDependencies: { "bun-types": pkg.devDependencies["bun-types"] },
      peerDependenciesMeta: { "bun-types": { optional: true } },
      files: ["dist", "README.md", "docs"],
    },
    null,
    2,
  ) + "\n",
);
copyFileSync(join(root, "README.md"), join(npm, "README.md"));
await $`cp -r ${join(root, "docs")} ${join(npm, "docs")}`;
await $`npm pack ${npm} --pack-destination ${out} --silent`.cwd(root).quiet();

// install script and checksums
const installer = (await Bun.file(join(root, "scripts/install.sh")).text()).replace(/OCTOLLM_VERSION:-[^}]+/, `OCTOLLM_VERSION:-${pkg.version}`);
writeFileSync(join(out, "install.sh"), installer);
chmodSync(join(out, "install.sh"), 0o755);
const files = readdirSync(out)
  .filter((f) => f !== "SHA256SUMS")
  .sort();
const sums = await Promise.all(files.map(async (f) => `${new Bun.CryptoHasher("sha256").update(await Bun.file(join(out, f)).bytes()).digest("hex")}  ${f}`));
writeFileSync(join(out, "SHA256SUMS"), sums.join("\n") + "\n");
console.log(`release ${pkg.version} in ${out}:\n${sums.map((s) => `  ${s}`).join("\n")}`);
