import { dataTable, emptyState, fmtInt, h, num, svg } from "./app";

let charts = 0;

/** A round axis top and step for counts up to max. */
function niceScale(max: number, ticks: number) {
  if (max <= 0) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / magnitude;
  const step = Math.max(1, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude);
  return { top: Math.ceil(max / step) * step, step };
}

/** A collapsed table with the chart's numbers (the text fallback). */
function numbersTable(head: string[], rows: Array<Array<string | number>>) {
  return h(
    "details",
    { class: "chart-data" },
    h("summary", null, "Show the numbers"),
    dataTable(
      head.map((text, i) => (i > 0 ? num(text) : text)),
      rows.map((row) =>
        h(
          "tr",
          null,
          row.map((cell, i) =>
            i === 0 ? h("th", { scope: "row" }, cell) : h("td", { class: "num" }, typeof cell === "number" ? fmtInt(cell) : cell),
          ),
        ),
      ),
    ),
  );
}

/** The svg root: role img, named by its title and described by a one-line summary. */
function chartRoot(width: number, height: number, title: string, summary: string) {
  const id = "chart-" + ++charts;
  return svg(
    "svg",
    {
      viewBox: "0 0 " + width + " " + height,
      width,
      height,
      role: "img",
      "aria-labelledby": id + "-title " + id + "-desc",
      focusable: "false",
    },
    svg("title", { id: id + "-title" }, title),
    svg("desc", { id: id + "-desc" }, summary),
  );
}

/**
 * Stacked bars over time, one bar per bucket, one colour per series (CSS class s-<key>).
 *
 */
export function stackedBars(
  slot: HTMLElement,
  spec: {
    title: string;
    series: Array<{ key: string; label: string }>;
    rows: Array<{ t: number; values: Record<string, number> }>;
    timeLabel: (t: number) => string;
    tickLabel: (t: number) => string;
  },
) {
  const width = Math.max(320, Math.floor(slot.clientWidth || 800));
  const height = 250;
  const m = { top: 10, right: 8, bottom: 26, left: 46 };
  const iw = width - m.left - m.right;
  const ih = height - m.top - m.bottom;
  const totals = spec.rows.map((r) => spec.series.reduce((sum, s) => sum + (r.values[s.key] || 0), 0));
  const grand = totals.reduce((a, b) => a + b, 0);
  const scale = niceScale(Math.max(0, ...totals), 4);
  const y = (v: number) => m.top + ih - (v / scale.top) * ih;
  const band = iw / Math.max(1, spec.rows.length);
  const barWidth = Math.max(1, Math.min(band * 0.78, 48));
  const peak = totals.indexOf(Math.max(...totals));
  const summary =
    fmtInt(grand) +
    " requests in " +
    spec.rows.length +
    " intervals" +
    (grand > 0 ? "; the busiest, " + spec.timeLabel(spec.rows[peak]?.t ?? 0) + ", had " + fmtInt(totals[peak] ?? 0) : "") +
    ".";
  const root = chartRoot(width, height, spec.title, summary);
  for (let v = 0; v <= scale.top; v += scale.step) {
    root.append(svg("line", { class: "grid", x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }));
    root.append(svg("text", { class: "axis", x: m.left - 6, y: y(v) + 4, "text-anchor": "end" }, fmtInt(v)));
  }
  spec.rows.forEach((row, i) => {
    const x = m.left + i * band + (band - barWidth) / 2;
    const parts = spec.series.filter((s) => (row.values[s.key] || 0) > 0);
    const tip =
      spec.timeLabel(row.t) +
      ": " +
      (parts.length === 0 ? "none" : parts.map((s) => s.label + " " + fmtInt(row.values[s.key] ?? 0)).join(", "));
    const group = svg("g", null, svg("title", null, tip));
    let stacked = 0;
    for (const s of parts) {
      const value = row.values[s.key] ?? 0;
      group.append(
        svg("rect", {
          class: "s-" + s.key,
          x,
          width: barWidth,
          y: y(stacked + value),
          height: Math.max(0.5, y(stacked) - y(stacked + value)),
        }),
      );
      stacked += value;
    }
    root.append(group);
  });
  const every = Math.max(1, Math.ceil(spec.rows.length / Math.max(2, Math.floor(iw / 90))));
  spec.rows.forEach((row, i) => {
    if (i % every !== 0) return;
    root.append(
      svg("text", { class: "axis", x: m.left + i * band + band / 2, y: height - 8, "text-anchor": "middle" }, spec.tickLabel(row.t)),
    );
  });
  const legend = h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    spec.series.map((s) => h("li", null, h("span", { class: "swatch s-" + s.key }), s.label)),
  );
  const table = numbersTable(
    ["Interval", ...spec.series.map((s) => s.label), "Total"],
    spec.rows
      .filter((_, i) => (totals[i] ?? 0) > 0)
      .map((r) => [
        spec.timeLabel(r.t),
        ...spec.series.map((s) => r.values[s.key] || 0),
        spec.series.reduce((a, s) => a + (r.values[s.key] || 0), 0),
      ]),
  );
  slot.replaceChildren(h("figure", { class: "chart" }, root, legend, table));
}

/** Shortens a label to about the pixels it may take. */
function fit(text: string, px: number) {
  const chars = Math.max(4, Math.floor(px / 7));
  return text.length <= chars ? text : text.slice(0, chars - 1) + "…";
}

/**
 * Horizontal bars for a top-N list; a label with an href is a link (e.g. to the decisions of that IP).
 *
 */
export function hbars(
  slot: HTMLElement,
  spec: { title: string; empty: string; items: Array<{ label: string; value: number; href?: string; note?: string }>; unit: string },
) {
  if (spec.items.length === 0) {
    slot.replaceChildren(emptyState(spec.empty));
    return;
  }
  const width = Math.max(280, Math.floor(slot.clientWidth || 480));
  const rowHeight = 26;
  const height = spec.items.length * rowHeight + 4;
  const labelWidth = Math.min(230, Math.floor(width * 0.4));
  const valueWidth = 56;
  const barX = labelWidth + 10;
  const barMax = Math.max(20, width - barX - valueWidth);
  const max = Math.max(...spec.items.map((i) => i.value));
  const first = spec.items[0];
  if (first === undefined) return;
  const root = chartRoot(
    width,
    height,
    spec.title,
    spec.items.length + " entries; the first is " + first.label + " with " + fmtInt(first.value) + " " + spec.unit + ".",
  );
  spec.items.forEach((item, i) => {
    const top = i * rowHeight + 2;
    const full = item.label + (item.note ? " (" + item.note + ")" : "");
    const text = svg("text", { class: "label", x: 0, y: top + 17 }, fit(full, labelWidth));
    const label = item.href
      ? svg(
          "a",
          { href: item.href, "aria-label": full + ": " + fmtInt(item.value) + " " + spec.unit },
          svg("rect", { class: "hit", x: 0, y: top, width: labelWidth, height: rowHeight - 4 }),
          text,
        )
      : text;
    root.append(
      svg(
        "g",
        null,
        svg("title", null, full + ": " + fmtInt(item.value) + " " + spec.unit),
        label,
        svg("rect", { class: "s-track", x: barX, y: top + 4, width: barMax, height: rowHeight - 10, rx: 3 }),
        svg("rect", {
          class: "s-bar",
          x: barX,
          y: top + 4,
          width: Math.max(2, (item.value / max) * barMax),
          height: rowHeight - 10,
          rx: 3,
        }),
        svg("text", { class: "value", x: width, y: top + 17, "text-anchor": "end" }, fmtInt(item.value)),
      ),
    );
  });
  const table = numbersTable(
    [spec.title, spec.unit],
    spec.items.map((i) => [i.label + (i.note ? " (" + i.note + ")" : ""), i.value]),
  );
  slot.replaceChildren(h("figure", { class: "chart" }, root, table));
}
