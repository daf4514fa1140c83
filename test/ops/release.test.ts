// The release: this machine's executable with checksums, install.sh against a local download server, and
// the npm package (bundled JavaScript, type declarations, the octollm command) installed into a new project.
import { $ } from "bun";
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const root = resolve(import.meta.dir, "../..");
const dist = mkdtempSync(join(tmpdir(), "octollm-release-")); // not dist/: the tree is left as it was
process.on("exit", () => rmSync(dist, { recursive: true, force: true }));
const release = join(dist, "release");
const HOST = `${process.platform}-${process.arch}`;
const binary = `octollm-${pkg.version}-${HOST}`;

beforeAll(async () => {
  await $`${process.execPath} ${join(root, "scripts/release.ts")} --host-only --dist ${dist}`.cwd(root).quiet();
}, 120_000);

/** Serves a directory on 127.0.0.1; `override` replaces some files' contents. */
function serveDir(dir: string, override: Record<string, string> = {}) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const name = new URL(req.url).pathname.slice(1);
      if (name in override) return new Response(override[name]);
      const file = Bun.file(join(dir, name));
      return file.size ? new Response(file) : new Response("not found", { status: 404 });
    },
  });
}

describe("release", () => {
  test("SHA256SUMS covers every file and matches it", async () => {
    const lines = (await Bun.file(join(release, "SHA256SUMS")).text()).trim().split("\n");
    const files = readdirSync(release)
      .filter((f) => f !== "SHA256SUMS")
      .sort();
    expect(files).toEqual(["install.sh", binary, `octollm-${pkg.version}.tgz`].sort());
    for (const line of lines) {
      const [sum, name] = line.split("  ");
      expect(new Bun.CryptoHasher("sha256").update(await Bun.file(join(release, name!)).bytes()).digest("hex")).toBe(sum!);
    }
  });

  test("install.sh downloads, checks the SHA-256 and installs a working executable; a bad checksum installs nothing", async () => {
    const server = serveDir(release);
    const dir = mkdtempSync(join(tmpdir(), "octollm-install-"));
    try {
      const env = { ...process.env, OCTOLLM_DOWNLOAD_URL: `http://127.0.0.1:${server.port}`, OCTOLLM_INSTALL_DIR: join(dir, "bin") };
      const ok = await $`sh ${join(release, "install.sh")}`.env(env).quiet().nothrow();
      expect(ok.exitCode).toBe(0);
      expect(ok.stdout.toString()).toContain(`installed octollm ${pkg.version}`);
      expect((await $`${join(dir, "bin/octollm")} --version`.quiet()).stdout.toString().trim()).toBe(pkg.version);
      const bad = serveDir(release, { SHA256SUMS: `${"0".repeat(64)}  ${binary}\n` });
      const env2 = { ...env, OCTOLLM_DOWNLOAD_URL: `http://127.0.0.1:${bad.port}`, OCTOLLM_INSTALL_DIR: join(dir, "bin2") };
      const refused = await $`sh ${join(release, "install.sh")}`.env(env2).quiet().nothrow();
      bad.stop(true);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.toString()).toContain("checksum mismatch");
      expect(await Bun.file(join(dir, "bin2/octollm")).exists()).toBe(false);
    } finally {
      server.stop(true);
    }
  });

  test("the npm package installs into a new project: the library serves requests, its types check, the command runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octollm-npm-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module" }));
    const install = await $`npm install --prefer-offline --no-audit --no-fund ${join(release, `octollm-${pkg.version}.tgz`)}`.cwd(dir).quiet().nothrow();
    expect(install.stderr.toString()).not.toContain("ERR");
    writeFileSync(
      join(dir, "app.ts"),
      `
import { MockEngine, chatCompletionsHandler, type Engine } from "octollm";
const engine: Engine = new MockEngine({ text: "hello from the package" });
const handler = chatCompletionsHandler(engine);
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, routes: { "/v1/chat/completions": handler } });
const res = await fetch(\`http://127.0.0.1:\${server.port}/v1/chat/completions\`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) });
console.log((await res.json() as any).choices[0].message.content);
server.stop(true);
`,
    );
    expect((await $`${process.execPath} app.ts`.cwd(dir).quiet()).stdout.toString().split("\n")[0]).toBe("hello from the package");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ESNext",
          module: "ESNext",
          moduleResolution: "bundler",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["bun-types"],
          typeRoots: [join(root, "node_modules")],
        },
        files: ["app.ts"],
      }),
    );
    writeFileSync(join(dir, "wrong.ts"), `import { MockEngine } from "octollm";\nnew MockEngine({ text: 42 });\n`);
    const typed = await $`${join(root, "node_modules/.bin/tsc")} -p .`.cwd(dir).quiet().nothrow();
    expect(typed.stdout.toString()).toBe("");
    const wrong =
      await $`${join(root, "node_modules/.bin/tsc")} --noEmit --skipLibCheck --strict --moduleResolution bundler --module esnext --target esnext --types bun-types --typeRoots ${join(root, "node_modules")} wrong.ts`
        .cwd(dir)
        .quiet()
        .nothrow();
    expect(wrong.stdout.toString()).toContain("Type 'number' is not assignable to type 'string'");
    expect((await $`${join(dir, "node_modules/.bin/octollm")} --version`.quiet()).stdout.toString().trim()).toBe(pkg.version);
  }, 60_000);
});
