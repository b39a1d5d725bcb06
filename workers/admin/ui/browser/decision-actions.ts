import type { Decision } from "./api-types";
import { reasonsOf, TTL_CHOICES, announce, api, ask, h, messageOf, operatorOnly, ttlSeconds, ttlText } from "./app";

/** What this page did to an IP (true: blocked, false: unblocked or allow-listed), so every row of it agrees. */
const blockState: Map<string, boolean> = new Map();

/** Labels given on this page, by decision id. */
const labels: Map<number, string> = new Map();

/** The decision each actions group belongs to. */
const decisionOf: WeakMap<Element, Decision> = new WeakMap();

function reasonCodes(d: Decision) {
  return reasonsOf(d)
    .map((r) => r.code)
    .join(", ");
}

async function block(d: Decision) {
  const values = await ask({
    title: "Block " + d.ip,
    text: "The edge acts on it within about 10 seconds. Blocks of allow-listed, reserved or verified-crawler addresses are refused.",
    confirm: "Block",
    danger: true,
    fields: [
      {
        name: "action",
        label: "Action",
        value: "block",
        choices: [
          ["block", "Block (answer 403)"],
          ["tarpit", "Tarpit (keep it in the labyrinth)"],
        ],
      },
      { name: "reason", label: "Reason", value: ("decision #" + d.id + ": " + reasonCodes(d)).slice(0, 200) },
      { name: "ttl", label: "Expires after", value: "86400", choices: TTL_CHOICES },
    ],
  });
  if (values === null) return false;
  const ttl = ttlSeconds(values.ttl);
  await api("/api/blocklist", { method: "POST", body: { target: d.ip, action: values.action, reason: values.reason, ttlSeconds: ttl } });
  blockState.set(d.ip, true);
  announce(
    (values.action === "tarpit" ? "Tarpitting " : "Blocked ") + d.ip + (ttl === null ? " until removed." : " for " + ttlText(ttl) + "."),
  );
  return true;
}

async function unblock(d: Decision) {
  await api("/api/blocklist?target=" + encodeURIComponent(d.ip), { method: "DELETE" });
  blockState.set(d.ip, false);
  announce("Unblocked " + d.ip + ".");
  return true;
}

async function allow(d: Decision) {
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

async function label(d: Decision, value: "human" | "bot") {
  await api("/api/decisions/" + d.id + "/label", { method: "POST", body: { value } });
  labels.set(d.id, value);
  announce("Labelled decision #" + d.id + " (" + d.ip + ") " + value + "; training will use it.");
  return true;
}

/** Runs an action from a button; on success redraws every row of that IP and puts focus back in this row. */
async function perform(group: HTMLElement, d: Decision, run: () => Promise<boolean>) {
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
          (same || (fresh.querySelector("button:not([disabled])") as HTMLElement | null))?.focus();
        }
      }
    }
  } catch (error) {
    announce(messageOf(error), "error");
  } finally {
    if (group.isConnected) for (const b of buttons) b.removeAttribute("disabled");
    for (const b of group.querySelectorAll("button")) operatorOnly(b as HTMLElement);
  }
}

/** The actions of one decision row. */
export function actionsFor(d: Decision): HTMLElement {
  const blocked = blockState.has(d.ip) ? blockState.get(d.ip) : d.blocked;
  const given = labels.get(d.id);
  const button = (text: string, name: string, run: () => Promise<boolean>, extra: Record<string, unknown> = {}) =>
    operatorOnly(
      h("button", { type: "button", class: "small", "aria-label": name, onclick: () => perform(group, d, run), ...extra }, text),
    );
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
