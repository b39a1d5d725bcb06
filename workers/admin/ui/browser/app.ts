import type { Decision, Reason } from "./api-types";

const csrfMeta = document.querySelector('meta[name="csrf-token"]');

/** Who is signed in, from the page shell. */
export const viewer = {
  name: document.body.dataset.user || "",
  role: document.body.dataset.role || "viewer",
  /** The site the page shows; every API call carries it (`?site=`). */
  site: document.body.dataset.site || "default",
  csrf: csrfMeta ? csrfMeta.getAttribute("content") : null,
};
const RANKS: Readonly<Record<string, number>> = { viewer: 0, operator: 1, admin: 2 };
const OPERATOR_RANK = 1;

// The site switcher (shell.tsx): choosing a site shows the same page for it.
const siteSwitcher = document.getElementById("site-switcher");
if (siteSwitcher instanceof HTMLSelectElement) siteSwitcher.addEventListener("change", () => siteSwitcher.form?.submit());

/** Whether the viewer may change blocklists, labels and the policy. */
export function canOperate() {
  return (RANKS[viewer.role] || 0) >= OPERATOR_RANK;
}

/** Why a control is disabled for a viewer. */
export const NEEDS_OPERATOR = "Needs the operator role";

/** Anything h() and fill() accept as a child; arrays are flattened, null, undefined and false skipped. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes of h() and svg(): `on<event>` functions become listeners, true an empty attribute, null/undefined/false none. */
export type Attrs = Record<string, unknown>;

function setAttrs(el: Element, attrs: Attrs | null | undefined) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value as EventListener);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function appendAll(el: Element, children: readonly Child[]) {
  for (const child of children) {
    if (Array.isArray(child)) appendAll(el, child);
    else if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Builds an HTML element. Text is always set as text (never parsed), so client-sent values are safe to show.
 */
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** A column heading; a `num` column holds figures (right-aligned). */
export type Column = string | { readonly text: string; readonly num: true };

/** A numeric column's heading. */
export const num = (text: string): Column => ({ text, num: true });

/** A scrollable data table: one header row of `columns`, then `rows` (tr elements). */
export function dataTable(columns: readonly Column[], rows: Child): HTMLElement {
  const th = (c: Column) => (typeof c === "string" ? h("th", { scope: "col" }, c) : h("th", { class: "num", scope: "col" }, c.text));
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "data" }, h("thead", null, h("tr", null, columns.map(th))), h("tbody", null, rows)),
  );
}

/** Replaces an element's children, skipping null, undefined and false like h() does. */
export function fill(el: Element, ...children: Child[]) {
  el.replaceChildren();
  appendAll(el, children);
}

/** Builds an SVG element. */
export function svg(tag: string, attrs?: Attrs | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag) as SVGElement;
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** The element with this id (the page shell guarantees it). */
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error("missing #" + id);
  return el;
}

/** A failed API call: the status, the stable error code and the message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/**
 * Calls the admin API with the session cookie; changes carry the CSRF token. A 401 sends the browser to the login page.
 */
export async function api<T = unknown>(path: string, options?: { method?: string; body?: unknown }): Promise<T> {
  const method = (options && options.method) || "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  const body = options && options.body !== undefined ? JSON.stringify(options.body) : undefined;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && viewer.csrf) headers["x-csrf-token"] = viewer.csrf;
  // The site shown: site-scoped routes read `?site=`, the others ignore it.
  if (viewer.site !== "default" && path.startsWith("/api/") && !/[?&]site=/.test(path))
    path += (path.includes("?") ? "&" : "?") + "site=" + encodeURIComponent(viewer.site);
  let response;
  try {
    // same-origin: the page's policy would be no-referrer, which makes Chromium send "Origin: null" and fail the CSRF check.
    response = await fetch(path, { method, headers, body, credentials: "same-origin", referrerPolicy: "same-origin" });
  } catch {
    throw new ApiError(0, "network", "The admin server did not answer; check the connection and try again.", null);
  }
  if (response.status === 401) location.assign("/login");
  const text = await response.text();
  let data = null;
  try {
    data = text === "" ? null : JSON.parse(text);
  } catch {
    data = text;
  }
  if (!response.ok) {
    const code = data && typeof data.error === "string" ? data.error : "http_" + response.status;
    const message = data && typeof data.message === "string" ? data.message : response.statusText || "the request failed";
    throw new ApiError(response.status, code, message, data);
  }
  return data;
}

/** The message of anything thrown, for people. */
export function messageOf(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

let statusTimer = 0;

/** Says something in the status line (an aria-live region): the result of an action, or why it failed. */
export function announce(message: string, kind?: "ok" | "error") {
  const box = byId("status");
  const line = h("p", { class: kind === "error" ? "error" : null }, message);
  box.replaceChildren(line);
  clearTimeout(statusTimer);
  statusTimer = window.setTimeout(() => line.remove(), kind === "error" ? 12000 : 6000);
}

/** An empty-state block. */
export function emptyState(title: string, text?: Child) {
  return h("div", { class: "empty" }, h("strong", null, title), text);
}

/** What a section shows when its data could not be loaded. */
export function errorState(error: unknown) {
  return emptyState("Could not load this", messageOf(error));
}

const ACTIONS = ["allow", "challenge", "tarpit", "block", "pay"];

/** A decision's reasons; rows stored before reasons had their current shape show none. */
export function reasonsOf(d: Decision): readonly Reason[] {
  return Array.isArray(d.reasons)
    ? (d.reasons as Reason[]).filter((r) => typeof r === "object" && r !== null && typeof r.code === "string")
    : [];
}

/** A coloured badge for an edge action (or any other short state). */
export function actionBadge(action: string) {
  return h("span", { class: "badge " + (ACTIONS.includes(action) ? action : "neutral") }, action);
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");

export const fmtPercent = (ratio: number) => (ratio * 100).toFixed(ratio < 0.1 ? 1 : 0) + "%";

export function fmtBytes(bytes: number) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
}

export function fmtDuration(seconds: number) {
  if (seconds < 60) return Math.round(seconds) + " s";
  if (seconds < 3600) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h";
  const days = seconds / 86400;
  return (days < 10 ? days.toFixed(1).replace(/\.0$/, "") : Math.round(days)) + " days";
}

/** Local date and time, short. */
export function fmtTime(at: string | number) {
  return new Date(at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "12 s ago", "in 3 h". */
export function fmtRelative(at: string | number) {
  const seconds = (new Date(at).getTime() - Date.now()) / 1000;
  const text = fmtDuration(Math.abs(seconds));
  return seconds < 0 ? text + " ago" : "in " + text;
}

/** Expiry choices for blocks and allow-list entries: [seconds, text]; "" is never. */
export const TTL_CHOICES = [
  ["3600", "1 hour"],
  ["86400", "1 day"],
  ["604800", "7 days"],
  ["2592000", "30 days"],
  ["", "never"],
];

/** A TTL field's value as the API takes it. */
export function ttlSeconds(value: FormDataEntryValue | null | undefined) {
  return value === null || value === undefined || value === "" ? null : Number(value);
}

export function ttlText(ttl: number | null) {
  const choice = TTL_CHOICES.find(([seconds]) => seconds === (ttl === null ? "" : String(ttl)));
  return choice ? choice[1] : fmtDuration(ttl || 0);
}

let dialogs = 0;

/**
 * Asks in a modal dialog (focus stays inside; Esc cancels). Resolves to the fields' values, or null when cancelled.
 *
 */
export function ask(spec: {
  title: string;
  text?: string;
  confirm: string;
  danger?: boolean;
  fields?: Array<{ name: string; label: string; value?: string; choices?: string[][]; required?: boolean }>;
}): Promise<Record<string, string> | null> {
  const id = "dialog-" + ++dialogs;
  const fields = (spec.fields || []).map((f) => {
    const fieldId = id + "-" + f.name;
    const control = f.choices
      ? h(
          "select",
          { id: fieldId, name: f.name },
          f.choices.map(([value, text]) => h("option", { value, selected: value === f.value }, text)),
        )
      : h("input", { id: fieldId, name: f.name, value: f.value || "", required: f.required !== false, autocomplete: "off" });
    return h("div", { class: "field" }, h("label", { for: fieldId }, f.label), control);
  });
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", { id: id + "-title" }, spec.title),
    spec.text ? h("p", null, spec.text) : null,
    fields,
    h(
      "menu",
      null,
      h("button", { value: "cancel", formnovalidate: true }, "Cancel"),
      h("button", { value: "confirm", class: spec.danger ? "danger" : "primary" }, spec.confirm),
    ),
  );
  const dialog = h("dialog", { "aria-labelledby": id + "-title" }, form) as HTMLDialogElement;
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const values = Object.fromEntries([...new FormData(form as HTMLFormElement).entries()].map(([k, v]) => [k, String(v)]));
      dialog.remove();
      resolve(dialog.returnValue === "confirm" ? values : null);
    });
    dialog.showModal();
  });
}

/** Disables a control for viewers, saying why. */
export function operatorOnly(el: HTMLElement) {
  if (!canOperate()) {
    el.setAttribute("disabled", "");
    el.setAttribute("title", NEEDS_OPERATOR);
  }
  return el;
}
