/** /ui/<version>/decision-actions.js: what an operator can do from a decision row (block, unblock, allow-list, label human or bot). */
export const DECISION_ACTIONS_SCRIPT = String.raw`// @ts-check
import { TTL_CHOICES, announce, api, ask, h, messageOf, operatorOnly, ttlSeconds, ttlText } from "./app.js";

/** What this page did to an IP (true: blocked, false: unblocked or allow-listed), so every row of it agrees. @type {Map<string, boolean>} */
const blockState = new Map();
/** Labels given on this page, by decision id. @type {Map<number, string>} */
const labels = new Map();
/** The decision each actions group belongs to. @type {WeakMap<Element, any>} */
const decisionOf = new WeakMap();

/** @param {any} d */
function reasonCodes(d) {
  return (Array.isArray(d.reasons) ? d.reasons : []).map((/** @type {any} */ r) => r.code).join(", ");
}

/** @param {any} d */
async function block(d) {
  const values = await ask({
    title: "Block " + d.ip,
    text: "The edge acts on it within about 10 seconds. Blocks of allow-listed, reserved or verified-crawler addresses are refused.",
    confirm: "Block",
    danger: true,
    fields: [
      { name: "action", label: "Action", value: "block", choices: [["block", "Block (answer 403)"], ["tarpit", "Tarpit (keep it in the labyrinth)"]] },
      { name: "reason", label: "Reason", value: ("decision #" + d.id + ": " + reasonCodes(d)).slice(0, 200) },
      { name: "ttl", label: "Expires after", value: "86400", choices: TTL_CHOICES },
    ],
  });
  if (values === null) return false;
  const ttl = ttlSeconds(values.ttl);
  await api("/api/blocklist", { method: "POST", body: { target: d.ip, action: values.action, reason: values.reason, ttlSeconds: ttl } });
  blockState.set(d.ip, true);
  announce((values.action === "tarpit" ? "Tarpitting " : "Blocked ") + d.ip + (ttl === null ? " until removed." : " for " + ttlText(ttl) + "."));
  return true;
}

/** @param {any} d */
async function unblock(d) {
  await api("/api/blocklist?target=" + encodeURIComponent(d.ip), { method: "DELETE" });
  blockState.set(d.ip, false);
  announce("Unblocked " + d.ip + ".");
  return true;
}

/** @param {any} d */
async function allow(d) {
  const values = await ask({
    title: "Allow-list " + d.ip,
    text: "The edge lets it through whatever it scores; its block entry, if any, is removed.",
    confirm: "Allow-list",
    fields: [
      { name: "reason", label: "Reason", value: "" },
      { name: "ttl", label: "Expires after", value: "", choices: TTL_CHOICES },
    ],
  });
  if (values === null) return false;
  await api("/api/allowlist", { method: "POST", body: { target: d.ip, reason: values.reason, ttlSeconds: ttlSeconds(values.ttl) } });
  blockState.set(d.ip, false);
  announce("Allow-listed " + d.ip + ".");
  return true;
}

/** @param {any} d @param {"human" | "bot"} value */
async function label(d, value) {
  await api("/api/decisions/" + d.id + "/label", { method: "POST", body: { value } });
  labels.set(d.id, value);
  announce("Labelled decision #" + d.id + " (" + d.ip + ") " + value + "; training will use it.");
  return true;
}

/** Runs an action from a button; on success redraws every row of that IP and puts focus back in this row. @param {HTMLElement} group @param {any} d @param {() => Promise<boolean>} run */
async function perform(group, d, run) {
  const buttons = [...group.querySelectorAll("button")];
  const used = document.activeElement ? document.activeElement.getAttribute("aria-label") : null;
  for (const b of buttons) b.setAttribute("disabled", "");
  try {
    if (!(await run())) return;
    for (const other of document.querySelectorAll(".row-actions")) {
      const od = decisionOf.get(other);
      if (od && (od.ip === d.ip || od.id === d.id)) {
        const fresh = actionsFor(od);
        other.replaceWith(fresh);
        if (other === group) {
          const same = [...fresh.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === used);
          /** @type {HTMLElement | null} */ (same || fresh.querySelector("button:not([disabled])"))?.focus();
        }
      }
    }
  } catch (error) {
    announce(messageOf(error), "error");
  } finally {
    if (group.isConnected) for (const b of buttons) b.removeAttribute("disabled");
    for (const b of group.querySelectorAll("button")) operatorOnly(/** @type {HTMLElement} */ (b));
  }
}

/** The actions of one decision row. @param {any} d @returns {HTMLElement} */
export function actionsFor(d) {
  const blocked = blockState.has(d.ip) ? blockState.get(d.ip) : d.blocked;
  const given = labels.get(d.id);
  /** @param {string} text @param {string} name @param {() => Promise<boolean>} run @param {Record<string, unknown>} [extra] */
  const button = (text, name, run, extra) =>
    operatorOnly(h("button", { type: "button", class: "small", "aria-label": name, onclick: () => perform(group, d, run), ...extra }, text));
  const group = h(
    "div",
    { class: "row-actions", role: "group", "aria-label": "Actions for " + d.ip },
    // Block is always offered (it also replaces an entry's action, reason or expiry); Unblock when the IP is known blocked.
    button("Block", "Block " + d.ip, () => block(d), { class: "small danger" }),
    blocked ? button("Unblock", "Unblock " + d.ip, () => unblock(d)) : null,
    button("Allow", "Allow-list " + d.ip, () => allow(d)),
    button("Human", "Label decision " + d.id + " human", () => label(d, "human"), { "aria-pressed": String(given === "human") }),
    button("Bot", "Label decision " + d.id + " bot", () => label(d, "bot"), { "aria-pressed": String(given === "bot") }),
  );
  decisionOf.set(group, d);
  return group;
}
`;
