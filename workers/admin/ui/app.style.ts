/** The dashboard's one stylesheet (served as /ui/<version>/app.css): no inline styles anywhere, so CSP can say `style-src 'self'`. */
export const APP_CSS = String.raw`
:root {
  --bg: #f6f8fa; --panel: #fff; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #eef1f4;
  --accent: #0969da; --accent-ink: #fff; --danger: #cf222e; --ok: #1a7f37; --warn: #9a6700;
  --allow: #2da44e; --challenge: #d4a72c; --tarpit: #8250df; --block: #cf222e; --pay: #0969da;
  --top: #1f2328; --top-ink: #f0f3f6; --radius: 8px;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --panel: #151b23; --ink: #e6edf3; --muted: #9198a1; --line: #3d444d; --soft: #212830;
    --accent: #4493f8; --accent-ink: #0d1117; --danger: #f85149; --ok: #3fb950; --warn: #d29922;
    --top: #010409; --top-ink: #e6edf3;
    color-scheme: dark;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
h3 { font-size: .95rem; margin: 0 0 .5rem; }
p { margin: .25rem 0 .75rem; }
code, .mono, textarea.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: .5rem; background: var(--panel); color: var(--ink); padding: .5rem .75rem; border-radius: var(--radius); z-index: 10; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

/* top bar and navigation */
.topbar { background: var(--top); color: var(--top-ink); }
.topbar .inner { display: flex; align-items: center; gap: 1.5rem; max-width: 1320px; margin: 0 auto; padding: 0 1.25rem; min-height: 3.25rem; flex-wrap: wrap; }
.brand { display: flex; align-items: center; gap: .5rem; font-weight: 700; font-size: 1.05rem; color: var(--top-ink); text-decoration: none; }
.brand img { width: 22px; height: 22px; }
.topbar nav ul { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
.topbar nav a { display: block; color: var(--top-ink); text-decoration: none; padding: .4rem .7rem; border-radius: 6px; opacity: .85; }
.topbar nav a:hover { background: rgba(255,255,255,.08); opacity: 1; }
.topbar nav a[aria-current="page"] { background: rgba(255,255,255,.14); opacity: 1; font-weight: 600; }
.topbar .who { margin-left: auto; display: flex; align-items: center; gap: .75rem; font-size: .9rem; }
.topbar .who form { margin: 0; }
.topbar .who button { background: transparent; color: var(--top-ink); border: 1px solid rgba(255,255,255,.3); }
.role { font-size: .75rem; padding: .05rem .45rem; border-radius: 999px; background: rgba(255,255,255,.14); }

main { max-width: 1320px; margin: 0 auto; padding: 1.25rem; }
.page-head { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
.page-head p { margin: 0; color: var(--muted); }
.page-head .spacer { flex: 1; }

/* cards, tiles, grids */
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; margin-bottom: 1rem; min-width: 0; }
.card > header { display: flex; align-items: baseline; gap: .75rem; flex-wrap: wrap; margin-bottom: .5rem; }
.card > header h2 { margin: 0; }
.card > header .spacer { flex: 1; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.grid-2 > .card { margin-bottom: 0; }
.grid-2 + * { margin-top: 1rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(175px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: .8rem 1rem; min-width: 0; }
.tile .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 1.55rem; font-weight: 650; margin-top: .15rem; overflow-wrap: anywhere; }
.tile .value.small { font-size: 1.05rem; padding-top: .35rem; }
.tile .hint { color: var(--muted); font-size: .8rem; }
.muted { color: var(--muted); }
.empty { text-align: center; color: var(--muted); padding: 1.5rem 1rem; border: 1px dashed var(--line); border-radius: var(--radius); }
.empty strong { display: block; color: var(--ink); margin-bottom: .25rem; }

/* buttons and forms */
button, .btn { font: inherit; font-size: .9rem; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--soft); color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; line-height: 1.3; }
button:hover, .btn:hover { border-color: var(--muted); }
button:disabled { opacity: .5; cursor: not-allowed; }
button.primary, .btn.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); font-weight: 600; }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; font-weight: 600; }
button.small { font-size: .8rem; padding: .15rem .5rem; }
button.link { background: none; border: none; color: var(--accent); padding: 0; text-decoration: underline; }
.seg { display: inline-flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.seg button { border: none; border-radius: 0; background: var(--panel); }
.seg button + button { border-left: 1px solid var(--line); }
.seg button[aria-pressed="true"] { background: var(--accent); color: var(--accent-ink); font-weight: 600; }
.seg.tabs { margin-bottom: 1rem; }
.seg a.btn { border: none; border-radius: 0; background: var(--panel); }
.seg a.btn + a.btn { border-left: 1px solid var(--line); }
.seg a.btn[aria-current="page"] { background: var(--accent); color: var(--accent-ink); font-weight: 600; }
label { font-weight: 500; }
input, select, textarea { font: inherit; color: var(--ink); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .35rem .5rem; max-width: 100%; }
textarea.code { width: 100%; line-height: 1.4; tab-size: 2; white-space: pre; }
textarea.code.tall { min-height: 22rem; }
.form-row { display: flex; gap: .75rem; flex-wrap: wrap; align-items: flex-end; }
.form-row .field { display: flex; flex-direction: column; gap: .2rem; }
.form-row .field.grow { flex: 1; min-width: 12rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .25rem .6rem .4rem; margin: 0; }
fieldset legend { font-weight: 500; padding: 0 .25rem; }
fieldset label { font-weight: 400; margin-right: .6rem; white-space: nowrap; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin-top: .75rem; }

/* tables */
.table-wrap { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: .88rem; }
table.data th, table.data td { text-align: left; padding: .45rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.data th { font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: var(--soft); font-weight: 600; white-space: nowrap; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tr.detail td { background: var(--soft); }
table.data tr.new td { animation: flash 2s ease-out; }
@keyframes flash { from { background: rgba(9,105,218,.18); } to { background: transparent; } }
.ua { display: block; color: var(--muted); font-size: .8rem; max-width: 22rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.path { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.row-actions { display: flex; gap: .3rem; flex-wrap: wrap; min-width: 11rem; }
.pager { display: flex; gap: .75rem; align-items: center; justify-content: flex-end; margin-top: .75rem; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }

/* badges and chips */
.badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: .1rem .5rem; border-radius: 999px; border: 1px solid transparent; white-space: nowrap; }
.badge.allow { background: rgba(45,164,78,.15); color: var(--ok); }
.badge.challenge { background: rgba(212,167,44,.2); color: var(--warn); }
.badge.tarpit { background: rgba(130,80,223,.15); color: var(--tarpit); }
.badge.block, .badge.blocked { background: rgba(207,34,46,.13); color: var(--danger); }
.badge.pay { background: rgba(9,105,218,.13); color: var(--pay); }
.badge.neutral { background: var(--soft); color: var(--muted); border-color: var(--line); }
td.nowrap { white-space: nowrap; }
.chip { max-width: 20rem; overflow: hidden; text-overflow: ellipsis; vertical-align: top; display: inline-block; font-family: ui-monospace, monospace; font-size: .75rem; padding: .05rem .4rem; margin: 0 .25rem .25rem 0; border-radius: 4px; background: var(--soft); border: 1px solid var(--line); white-space: nowrap; }
.chip .w { color: var(--muted); }

/* charts */
figure.chart { margin: 0; }
figure.chart svg { display: block; width: 100%; height: auto; overflow: visible; }
figure.chart figcaption { font-weight: 600; margin-bottom: .5rem; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: .5rem 0 0; flex-wrap: wrap; font-size: .85rem; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { width: .8rem; height: .8rem; border-radius: 3px; display: inline-block; }
.s-allow { fill: var(--allow); background: var(--allow); }
.s-challenge { fill: var(--challenge); background: var(--challenge); }
.s-tarpit { fill: var(--tarpit); background: var(--tarpit); }
.s-block { fill: var(--block); background: var(--block); }
.s-pay { fill: var(--pay); background: var(--pay); }
.s-bar { fill: var(--accent); }
.s-track { fill: var(--soft); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .label { fill: var(--ink); font-size: 12px; }
svg a .label { fill: var(--accent); text-decoration: underline; }
svg a:focus-visible rect.hit { stroke: var(--accent); stroke-width: 2; }
svg rect.hit { fill: transparent; }
svg .value { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
details.chart-data { margin-top: .5rem; font-size: .85rem; }
details.chart-data summary { cursor: pointer; color: var(--muted); }
details.chart-data table { margin-top: .5rem; }

/* status line (aria-live), validation issues, dialogs */
.status { position: fixed; right: 1.25rem; bottom: 1.25rem; max-width: 28rem; z-index: 20; }
.status p { margin: .5rem 0 0; padding: .65rem .9rem; border-radius: var(--radius); background: var(--top); color: var(--top-ink); box-shadow: 0 4px 16px rgba(0,0,0,.25); }
.status p.error { background: var(--danger); color: #fff; }
.issues { list-style: none; padding: 0; margin: .5rem 0; }
.issues li { border-left: 3px solid var(--danger); background: rgba(207,34,46,.07); padding: .4rem .6rem; margin-bottom: .35rem; border-radius: 0 6px 6px 0; }
.issues li.ok { border-color: var(--ok); background: rgba(45,164,78,.08); }
.issues code { font-weight: 600; }
dialog { border: 1px solid var(--line); border-radius: var(--radius); padding: 1.1rem 1.25rem; background: var(--panel); color: var(--ink); width: min(30rem, 92vw); box-shadow: 0 8px 32px rgba(0,0,0,.3); }
dialog::backdrop { background: rgba(15,20,25,.45); }
dialog h2 { margin-bottom: .5rem; }
dialog .field { display: flex; flex-direction: column; gap: .2rem; margin: .6rem 0; }
dialog .field input, dialog .field select { width: 100%; }
dialog menu { display: flex; gap: .5rem; justify-content: flex-end; padding: 0; margin: 1rem 0 0; }

/* sign-in */
body.login main { max-width: 24rem; padding-top: 10vh; }
body.login .brand { color: var(--ink); font-size: 1.4rem; margin-bottom: 1rem; }
body.login .card { padding: 1.5rem; }
body.login .field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: .85rem; }
body.login input { width: 100%; padding: .5rem .6rem; }
body.login button { width: 100%; padding: .55rem; }
p.error { color: var(--danger); font-weight: 500; }
@media (max-width: 720px) { .grid-2 { grid-template-columns: 1fr; } .topbar .who { margin-left: 0; } }
`;
