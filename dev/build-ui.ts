import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The dashboard's browser sources: one module per page, the shared modules they import, the stylesheet and the icon. */
export const UI_SOURCE_DIR = join(ROOT, "workers/admin/ui/browser");
/** The admin Worker's Workers Static Assets directory (wrangler.toml `[assets]`): hashed files under ui/, and _headers. */
export const UI_ASSETS_DIR = join(ROOT, "dist/admin-ui");
/** Source name → public path of its hashed file; workers/admin/ui/assets.ts imports it at bundle time. */
export const UI_MANIFEST = join(ROOT, "dist/admin-ui.json");

/** The pages' entry modules; shared code (app.ts, charts.ts…) lands in hashed chunks the entries import. */
const ENTRIES = ["overview", "decisions", "blocklists", "policy", "peers", "accounts"] as const;
const PUBLIC_DIR = "ui";

// Every file under /ui/ carries its content hash in its name, so it may be cached for a year. Workers Static Assets
// answer these without running the Worker: the headers here are all they get (same CSP as the pages, no framing).
const HEADERS = `/${PUBLIC_DIR}/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
  Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'
  Cross-Origin-Resource-Policy: same-origin
`;

/** What a build wrote: the manifest and the number of files. */
export interface UiBuild {
  readonly manifest: Readonly<Record<string, string>>;
  readonly files: number;
}

const hash8 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 8).toUpperCase();

/** Writes a file through a temporary name, so a concurrent reader (another test project) never sees half of it. */
function writeAtomic(path: string, contents: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Bundles the dashboard's TypeScript and CSS with esbuild into content-hashed files under dist/admin-ui/ui/, with the
 * _headers file and the manifest. Deterministic: two builds of the same sources write the same names, so builds
 * running at once (test projects) agree; files of older builds are removed.
 */
export async function buildUi(): Promise<UiBuild> {
  const result = await build({
    absWorkingDir: UI_SOURCE_DIR,
    entryPoints: [...ENTRIES.map((name) => `${name}.ts`), "app.css"],
    outdir: join(UI_ASSETS_DIR, PUBLIC_DIR),
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    tsconfig: join(UI_SOURCE_DIR, "tsconfig.json"),
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const manifest: Record<string, string> = {};
  const written = new Set<string>();
  mkdirSync(join(UI_ASSETS_DIR, PUBLIC_DIR), { recursive: true });
  for (const file of result.outputFiles) {
    writeAtomic(file.path, file.contents);
    written.add(file.path);
    const entry = result.metafile.outputs[relative(UI_SOURCE_DIR, file.path)]?.entryPoint;
    if (entry !== undefined) manifest[basename(entry).replace(/\.ts$/, ".js")] = `/${PUBLIC_DIR}/${basename(file.path)}`;
  }
  const icon = readFileSync(join(UI_SOURCE_DIR, "icon.svg"));
  const iconPath = join(UI_ASSETS_DIR, PUBLIC_DIR, `icon-${hash8(icon)}.svg`);
  writeAtomic(iconPath, icon);
  written.add(iconPath);
  manifest["icon.svg"] = `/${PUBLIC_DIR}/${basename(iconPath)}`;
  for (const name of readdirSync(join(UI_ASSETS_DIR, PUBLIC_DIR))) {
    const path = join(UI_ASSETS_DIR, PUBLIC_DIR, name);
    if (!written.has(path) && !name.endsWith(".tmp")) rmSync(path, { force: true });
  }
  writeAtomic(join(UI_ASSETS_DIR, "_headers"), HEADERS);
  writeAtomic(UI_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, files: written.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { manifest, files } = await buildUi();
  console.log(
    `dashboard assets: ${files} files in ${relative(process.cwd(), UI_ASSETS_DIR)} (${Object.keys(manifest).length} in the manifest)`,
  );
}
