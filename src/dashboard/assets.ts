// The dashboard's files, served gzipped (or plain to a client that does not take gzip) with an ETag: embedded in
// the compiled binary, or built from source on the first visit. index.html names each file by its hash, so the
// files themselves are cached for good and a new build is fetched at once.
import { buildUi, EMBEDDED_NAMES, type UiFiles } from "./ui-build";

/** One file ready to serve. */
interface Asset {
  gz: Uint8Array;
  plain: Uint8Array;
  type: string;
  etag: string;
  immutable: boolean;
}

const TYPES: Record<string, string> = { "app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8" };

/** The built files embedded in this binary, or undefined when running from source. */
async function embedded(): Promise<UiFiles | undefined> {
  const blobs = Bun.embeddedFiles as (Blob & { name?: string })[];
  const out: Partial<UiFiles> = {};
  for (const [name, embeddedName] of Object.entries(EMBEDDED_NAMES) as [keyof UiFiles, string][]) {
    const blob = blobs.find((b) => b.name === embeddedName);
    if (!blob) return undefined;
    out[name] = Bun.gunzipSync(new Uint8Array(await blob.arrayBuffer()));
  }
  return out as UiFiles;
}

/** The page every dashboard address answers with: the app's script and stylesheet by hash, nothing inline. */
function indexHtml(hashes: Record<string, string>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>OctoLLM</title>
<link rel="icon" href="/admin/ui/assets/favicon.svg">
<link rel="stylesheet" href="/admin/ui/assets/app.css?v=${hashes["app.css"]}">
<script type="module" src="/admin/ui/assets/app.js?v=${hashes["app.js"]}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

/** The tab's icon: the accent's ring. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="none" stroke="#1f5fae" stroke-width="3"/></svg>`;

/** The dashboard's files. */
export class UiAssets {
  private files?: Promise<Map<string, Asset>>;

  constructor(private readonly source: () => Promise<UiFiles> = async () => (await embedded()) ?? buildUi()) {}

  /** Answers a request for one file ("index.html", "app.js", "app.css"). */
  async serve(name: string, req: Request): Promise<Response> {
    let files: Map<string, Asset>;
    try {
      files = await (this.files ??= this.load());
    } catch (err) {
      this.files = undefined;
      return new Response(`The dashboard's files are missing from this build: ${(err as Error).message}\n`, { status: 503 });
    }
    const asset = files.get(name);
    if (!asset) return new Response("not found\n", { status: 404 });
    const headers: Record<string, string> = {
      "content-type": asset.type,
      etag: asset.etag,
      vary: "accept-encoding",
      "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (req.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
    const gzip = /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
    if (gzip) headers["content-encoding"] = "gzip";
    return new Response(req.method === "HEAD" ? null : gzip ? asset.gz : asset.plain, { headers });
  }

  private async load(): Promise<Map<string, Asset>> {
    const built = await this.source();
    const files = new Map<string, Asset>();
    const hashes: Record<string, string> = {};
    const add = (name: string, plain: Uint8Array<ArrayBuffer>, type: string, immutable: boolean) => {
      const hash = Bun.hash(plain).toString(16);
      hashes[name] = hash;
      files.set(name, { plain, gz: Bun.gzipSync(plain, { level: 9 }), type, etag: `"${hash}"`, immutable });
    };
    for (const [name, plain] of Object.entries(built)) add(name, plain, TYPES[name]!, true);
    add("favicon.svg", new TextEncoder().encode(FAVICON), "image/svg+xml", false);
    add("index.html", new TextEncoder().encode(indexHtml(hashes)), "text/html; charset=utf-8", false);
    return files;
  }
}
