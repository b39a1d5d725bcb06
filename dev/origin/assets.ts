import type { Coordinates } from "./articles";
import { createBitmap, encodeIco, encodePng, fillDisc } from "./png";

type Rgba = readonly [number, number, number, number];
const INK: Rgba = [0x1d, 0x4e, 0x89, 255];
const OCEAN: Rgba = [0xe4, 0xee, 0xf6, 255];
const GRID: Rgba = [0xc9, 0xd9, 0xe8, 255];
const MAP_WIDTH_PX = 360; // one pixel per degree of longitude
const MAP_HEIGHT_PX = 180;

/** The stylesheet at /static/site.css. */
export const SITE_CSS = `:root { --ink: #1d2430; --muted: #5b6575; --accent: #1d4e89; --paper: #fbfaf7; --rule: #e2ded6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 0 1rem; font: 17px/1.6 Georgia, "Times New Roman", serif; color: var(--ink); background: var(--paper); }
a { color: var(--accent); }
.site-header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; padding: 1rem 0; border-bottom: 1px solid var(--rule); }
.brand { display: flex; align-items: center; gap: 0.5rem; font-weight: bold; font-size: 1.3rem; text-decoration: none; }
.tagline { margin: 0; color: var(--muted); font-style: italic; }
.site-header nav ul, .tags, .pagination ol { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0; padding: 0; }
[aria-current="page"] { font-weight: bold; text-decoration: none; color: var(--ink); }
main { padding: 1.5rem 0; }
.map { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
.cards { list-style: none; padding: 0; }
.card { padding: 1rem 0; border-bottom: 1px solid var(--rule); }
.card h2 { margin: 0; font-size: 1.25rem; }
.meta, .count, .region { color: var(--muted); font-size: 0.9rem; }
.tags { font: 0.8rem/1.8 system-ui, sans-serif; }
.tags a { padding: 0.1rem 0.5rem; border-radius: 1rem; background: #e8eef5; text-decoration: none; }
.lede { font-size: 1.15rem; }
.facts { border-collapse: collapse; margin: 1rem 0; font: 0.9rem/1.4 system-ui, sans-serif; }
.facts caption { text-align: left; font-weight: bold; padding-bottom: 0.25rem; }
.facts th, .facts td { text-align: left; vertical-align: top; padding: 0.3rem 0.75rem 0.3rem 0; border-top: 1px solid var(--rule); }
.toc { font: 0.9rem/1.6 system-ui, sans-serif; }
.sequence { display: flex; justify-content: space-between; margin-top: 2rem; padding-top: 1rem; border-top: 1px solid var(--rule); }
.related { margin-top: 2rem; padding: 1rem; background: #f1efe9; }
.pagination { display: flex; gap: 1rem; align-items: center; margin-top: 1.5rem; }
.tag-cloud, .regions { columns: 2; }
.site-footer { padding: 1rem 0 2rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.9rem; }
`;

/** The logo at /static/logo.svg: a globe with a graticule. */
export const LOGO_SVG = `<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="Atlas Notes">
<circle cx="32" cy="32" r="29" fill="#e4eef6" stroke="#1d4e89" stroke-width="4"/>
<ellipse cx="32" cy="32" rx="12" ry="29" fill="none" stroke="#1d4e89" stroke-width="3"/>
<path d="M3 32h58M8 17h48M8 47h48M32 3v58" fill="none" stroke="#1d4e89" stroke-width="3"/>
</svg>
`;

/** /static/map.png: an equirectangular map with a graticule every 30° and a dot per profile. */
export function renderWorldMap(points: readonly Coordinates[]): Uint8Array {
  const map = createBitmap(MAP_WIDTH_PX, MAP_HEIGHT_PX, OCEAN);
  for (let y = 0; y < MAP_HEIGHT_PX; y++) {
    for (let x = 0; x < MAP_WIDTH_PX; x++) {
      if (x % 30 === 0 || y % 30 === 0) map.pixels.set(GRID, (y * MAP_WIDTH_PX + x) * 4);
    }
  }
  for (const { lat, lon } of points) fillDisc(map, lon + 180, 90 - lat, 2, INK);
  return encodePng(map);
}

/** /favicon.ico: a 16×16 globe, as a PNG inside an ICO. */
export function renderFavicon(): Uint8Array {
  const icon = createBitmap(16, 16, [0, 0, 0, 0]);
  fillDisc(icon, 7.5, 7.5, 7.5, INK);
  fillDisc(icon, 7.5, 7.5, 5.5, OCEAN);
  fillDisc(icon, 5.5, 6, 2, INK);
  fillDisc(icon, 10, 9.5, 1.5, INK);
  return encodeIco(encodePng(icon), 16, 16);
}
