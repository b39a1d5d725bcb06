/** /ui/<version>/app.js: what every dashboard page module shares (DOM building, the API client, formatting, the status line, dialogs). */
export const APP_SCRIPT = String.raw`// @ts-check
const csrfMeta = document.querySelector('meta[name="csrf-token"]');

/** Who is signed in, from the page shell. */
export const viewer = {
  name: document.body.dataset.user || "",
  role: document.body.dataset.role || "viewer",
  csrf: csrfMeta ? csrfMeta.getAttribute("content") : null,
};

/** @type {Record<string, number>} */
const RANKS = { viewer: 0, operator: 1, admin: 2 };

/** Whether the viewer may change blocklists, labels and the policy. */
export function canOperate() {
  return (RANKS[viewer.role] || 0) >= RANKS.operator;
}

/** Why a control is disabled for a viewer. */
export const NEEDS_OPERATOR = "Needs the operator role";

/** @typedef {Node | string | number | null | undefined | false | any[]} Child */

/** @param {Element} el @param {Record<string, unknown> | null | undefined} attrs */
function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

/** @param {Element} el @param {Child[]} children */
function appendAll(el, children) {
  for (const child of children) {
    if (Array.isArray(child)) appendAll(el, child);
    else if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Builds an HTML element. Text is always set as text (never parsed), so client-sent values are safe to show.
 * @param {string} tag @param {Record<string, unknown> | null} [attrs] @param {...Child} children @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** Replaces an element's children, skipping null, undefined and false like h() does. @param {Element} el @param {...Child} children */
export function fill(el, ...children) {
  el.replaceChildren();
  appendAll(el, children);
}

/** Builds an SVG element. @param {string} tag @param {Record<string, unknown> | null} [attrs] @param {...Child} children @returns {SVGElement} */
export function svg(tag, attrs, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS("http://www.w3.org/2000/svg", tag));
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** The element with this id (the page shell guarantees it). @param {string} id @returns {HTMLElement} */
export function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error("missing #" + id);
  return el;
}

/** A failed API call: the status, the stable error code and the message for people. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {unknown} body */
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * Calls the admin API with the session cookie; changes carry the CSRF token. A 401 sends the browser to the login page.
 * @param {string} path @param {{ method?: string, body?: unknown }} [options] @returns {Promise<any>}
 */
export async function api(path, options) {
  const method = (options && options.method) || "GET";
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  const body = options && options.body !== undefined ? JSON.stringify(options.body) : undefined;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && viewer.csrf) headers["x-csrf-token"] = viewer.csrf;
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

/** The message of anything thrown, for people. @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

let statusTimer = 0;

/** Says something in the status line (an aria-live region): the result of an action, or why it failed. @param {string} message @param {"ok" | "error"} [kind] */
export function announce(message, kind) {
  const box = byId("status");
  const line = h("p", { class: kind === "error" ? "error" : null }, message);
  box.replaceChildren(line);
  clearTimeout(statusTimer);
  statusTimer = window.setTimeout(() => line.remove(), kind === "error" ? 12000 : 6000);
}

/** An empty-state block. @param {string} title @param {Child} [text] */
export function emptyState(title, text) {
  return h("div", { class: "empty" }, h("strong", null, title), text);
}

/** What a section shows when its data could not be loaded. @param {unknown} error */
export function errorState(error) {
  return emptyState("Could not load this", messageOf(error));
}

const ACTIONS = ["allow", "challenge", "tarpit", "block", "pay"];

/** A coloured badge for an edge action (or any other short state). @param {string} action */
export function actionBadge(action) {
  return h("span", { class: "badge " + (ACTIONS.includes(action) ? action : "neutral") }, action);
}

/** @param {number} n */
export const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
/** @param {number} ratio */
export const fmtPercent = (ratio) => (ratio * 100).toFixed(ratio < 0.1 ? 1 : 0) + "%";

/** @param {number} bytes */
export function fmtBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
}

/** @param {number} seconds */
export function fmtDuration(seconds) {
  if (seconds < 60) return Math.round(seconds) + " s";
  if (seconds < 3600) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h";
  const days = seconds / 86400;
  return (days < 10 ? days.toFixed(1).replace(/\.0$/, "") : Math.round(days)) + " days";
}

/** Local date and time, short. @param {string | number} at */
export function fmtTime(at) {
  return new Date(at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "12 s ago", "in 3 h". @param {string | number} at */
export function fmtRelative(at) {
  const seconds = (new Date(at).getTime() - Date.now()) / 1000;
  const text = fmtDuration(Math.abs(seconds));
  return seconds < 0 ? text + " ago" : "in " + text;
}

/** Expiry choices for blocks and allow-list entries: [seconds, text]; "" is never. */
export const TTL_CHOICES = [["3600", "1 hour"], ["86400", "1 day"], ["604800", "7 days"], ["2592000", "30 days"], ["", "never"]];

/** A TTL field's value as the API takes it. @param {FormDataEntryValue | null} value */
export function ttlSeconds(value) {
  return value === null || value === "" ? null : Number(value);
}

/** @param {number | null} ttl */
export function ttlText(ttl) {
  const choice = TTL_CHOICES.find(([seconds]) => seconds === (ttl === null ? "" : String(ttl)));
  return choice ? choice[1] : fmtDuration(ttl || 0);
}

let dialogs = 0;

/**
 * Asks in a modal dialog (focus stays inside; Esc cancels). Resolves to the fields' values, or null when cancelled.
 * @param {{ title: string, text?: string, confirm: string, danger?: boolean,
 *   fields?: Array<{ name: string, label: string, value?: string, choices?: string[][], required?: boolean }> }} spec
 * @returns {Promise<Record<string, string> | null>}
 */
export function ask(spec) {
  const id = "dialog-" + ++dialogs;
  const fields = (spec.fields || []).map((f) => {
    const fieldId = id + "-" + f.name;
    const control = f.choices
      ? h("select", { id: fieldId, name: f.name }, f.choices.map(([value, text]) => h("option", { value, selected: value === f.value }, text)))
      : h("input", { id: fieldId, name: f.name, value: f.value || "", required: f.required !== false, autocomplete: "off" });
    return h("div", { class: "field" }, h("label", { for: fieldId }, f.label), control);
  });
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", { id: id + "-title" }, spec.title),
    spec.text ? h("p", null, spec.text) : null,
    fields,
    h("menu", null, h("button", { value: "cancel", formnovalidate: true }, "Cancel"), h("button", { value: "confirm", class: spec.danger ? "danger" : "primary" }, spec.confirm)),
  );
  const dialog = /** @type {HTMLDialogElement} */ (h("dialog", { "aria-labelledby": id + "-title" }, form));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const values = Object.fromEntries([...new FormData(/** @type {HTMLFormElement} */ (form)).entries()].map(([k, v]) => [k, String(v)]));
      dialog.remove();
      resolve(dialog.returnValue === "confirm" ? values : null);
    });
    dialog.showModal();
  });
}

/** Disables a control for viewers, saying why. @param {HTMLElement} el */
export function operatorOnly(el) {
  if (!canOperate()) {
    el.setAttribute("disabled", "");
    el.setAttribute("title", NEEDS_OPERATOR);
  }
  return el;
}
`;
