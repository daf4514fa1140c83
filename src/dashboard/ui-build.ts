// Builds the dashboard's browser code from src/dashboard/ui: one minified script (preact, htm, uPlot and the
// pages) and one stylesheet. `scripts/build.ts` embeds the result in the binary; run from source, the gateway
// builds it on the first visit.
import { join } from "node:path";

/** The built files by name: app.js and app.css. */
export type UiFiles = Record<"app.js" | "app.css", Uint8Array<ArrayBuffer>>;

/** The names the built files have inside a compiled binary (gzipped). */
export const EMBEDDED_NAMES: Record<keyof UiFiles, string> = { "app.js": "octollm-ui-app.js.gz", "app.css": "octollm-ui-app.css.gz" };

/** Builds the dashboard's script and stylesheet. */
export async function buildUi(): Promise<UiFiles> {
  const dir = join(import.meta.dir, "ui");
  const built = await Bun.build({ entrypoints: [join(dir, "main.ts")], target: "browser", format: "esm", minify: true });
  if (!built.success || !built.outputs[0]) throw new Error(`the dashboard did not build: ${built.logs.map((l) => l.message).join("; ")}`);
  const uplotCss = await Bun.file(Bun.resolveSync("uplot/dist/uPlot.min.css", dir)).text();
  const ownCss = await Bun.file(join(dir, "style.css")).text();
  const enc = new TextEncoder();
  return { "app.js": new Uint8Array(await built.outputs[0].arrayBuffer()), "app.css": enc.encode(`${uplotCss}\n${ownCss}`) };
}
