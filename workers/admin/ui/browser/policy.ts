import type { CompiledRule, DryRun, InvalidPolicy, PolicyIssue, PolicyHistory, PolicyView, Validation } from "./api-types";
import {
  type Child,
  dataTable,
  num,
  ApiError,
  actionBadge,
  announce,
  api,
  byId,
  emptyState,
  errorState,
  fill,
  fmtInt,
  fmtTime,
  h,
  messageOf,
  operatorOnly,
} from "./app";
import { lineColumn, locate } from "./json-path";
import { pricePreview } from "./price-preview";
import { loadSuggestions } from "./suggestions";

const ACTIONS = ["allow", "challenge", "tarpit", "block"];

const editor = byId("policy-text") as HTMLTextAreaElement;
const issuesBox = byId("policy-issues");
let saved = "";

function renderStatus(view: PolicyView) {
  const c = view.compiled;
  const mode = c ? c.mode : "unknown";
  const modeButton = (target: "observe" | "enforce", text: string) =>
    operatorOnly(h("button", { type: "button", "aria-pressed": String(mode === target), onclick: () => switchMode(target) }, text));
  const item = (term: string, value: Child) => [h("dt", null, term), h("dd", null, value)];
  fill(
    byId("policy-status"),
    c ? null : emptyState("The stored policy does not compile", "The edge keeps enforcing its last good policy. Fix it below and save."),
    h(
      "dl",
      { class: "kv" },
      item("Mode", [
        h("div", { class: "seg", role: "group", "aria-label": "Mode" }, modeButton("observe", "Observe"), modeButton("enforce", "Enforce")),
        h(
          "p",
          { class: "muted" },
          mode === "observe"
            ? "Observe: decisions are recorded, every request is let through."
            : "Enforce: challenges, tarpits and blocks are applied.",
        ),
      ]),
      item("In force", [
        h(
          "strong",
          { id: "mode-in-force" },
          view.mode.inForce === null ? "unknown" : view.mode.inForce === "observe" ? "Observe" : "Enforce",
        ),
        h(
          "p",
          { class: view.mode.source === "var" && view.mode.inForce !== view.mode.policyMode ? "warn" : "muted", id: "mode-reason" },
          "Why: " + view.mode.reason + ".",
        ),
      ]),
      item("Source", view.source === "kv" ? "saved by an operator" : "the bundled default (policies/default.json)"),
      item("Preset", c ? c.preset : "–"),
      item(
        "Thresholds",
        c ? "challenge ≥ " + c.thresholds.challenge + " · tarpit ≥ " + c.thresholds.tarpit + " · block ≥ " + c.thresholds.block : "–",
      ),
    ),
  );
}

function renderRules(view: PolicyView) {
  const rules = view.compiled ? view.compiled.rules : [];
  const table = (list: readonly CompiledRule[]) =>
    dataTable(
      ["Rule", "Action", num("Weight")],
      list.map((r) =>
        h(
          "tr",
          null,
          h("td", { class: "mono" }, r.name),
          h("td", null, actionBadge(r.action)),
          h("td", { class: "num" }, r.action === "weigh" ? String(r.weight) : ""),
        ),
      ),
    );
  const own = rules.filter((r) => r.origin === "policy");
  const preset = rules.filter((r) => r.origin !== "policy");
  fill(
    byId("policy-rules"),
    own.length > 0 ? table(own) : emptyState("No rules of your own", "Only the preset's rules apply."),
    preset.length > 0
      ? h("details", { class: "chart-data" }, h("summary", null, preset.length + " rules from the preset, after yours"), table(preset))
      : null,
  );
}

async function loadPolicy() {
  try {
    const view = await api<PolicyView>("/api/policy");
    renderStatus(view);
    renderRules(view);
    if (editor.value === saved) {
      editor.value = JSON.stringify(view.policy, null, 2);
      saved = editor.value;
    }
  } catch (error) {
    byId("policy-status").replaceChildren(errorState(error));
  }
}

async function switchMode(mode: "observe" | "enforce") {
  try {
    const view = await api<PolicyView>("/api/policy/mode", { method: "PUT", body: { mode } });
    if (view.mode.source === "var" && view.mode.inForce !== mode)
      announce("Saved, but the edge stays in " + view.mode.inForce + " mode: " + view.mode.reason + ".", "error");
    else announce("The edge switches to " + mode + " mode within 30 seconds.");
    await loadPolicy();
  } catch (error) {
    announce(messageOf(error), "error");
  }
}

/** Selects a range of the editor and scrolls it into view. */
function select(start: number, end: number) {
  editor.focus();
  editor.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  editor.scrollTop = Math.max(0, (lineColumn(editor.value, start).line - 4) * lineHeight);
}

/** Shows problems, each a button that selects its field. */
function showIssues(issues: readonly PolicyIssue[]) {
  const items = issues.map((issue) => {
    // zod names an unknown key in the message, not the path: point at the key itself.
    const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(issue.message);
    const path = unknown ? (issue.path ? issue.path + "." : "") + unknown[1] : issue.path;
    const spot = issue.at !== undefined ? { start: issue.at, end: issue.at + 1 } : locate(editor.value, path);
    const where = spot ? lineColumn(editor.value, spot.start) : null;
    const label = (path ? path : "the document") + (where ? " (line " + where.line + ")" : "");
    return h(
      "li",
      null,
      spot ? h("button", { type: "button", class: "link", onclick: () => select(spot.start, spot.end) }, label) : h("code", null, label),
      ": " + issue.message,
    );
  });
  issuesBox.replaceChildren(h("ul", { class: "issues" }, items));
}

/** The editor's document, or null after showing why it is not JSON. */
function candidate() {
  try {
    return { policy: JSON.parse(editor.value) };
  } catch (error) {
    const at = /position (\d+)/.exec(messageOf(error));
    showIssues([{ path: "", message: messageOf(error), at: at ? Number(at[1]) : undefined }]);
    announce("The policy is not valid JSON.", "error");
    return null;
  }
}

function failed(error: unknown, saving = false) {
  // PUT /api/policy answers 422 InvalidPolicy; validate() passes its own `{ ok: false, issues }` the same way.
  if (error instanceof ApiError && error.body && Array.isArray((error.body as InvalidPolicy | Validation).issues)) {
    const issues = (error.body as InvalidPolicy | Validation).issues;
    showIssues(issues);
    announce(
      issues.length + " problem" + (issues.length === 1 ? "" : "s") + " in the policy" + (saving ? "; nothing was saved." : "."),
      "error",
    );
  } else announce(messageOf(error), "error");
}

async function validate() {
  const body = candidate();
  if (body === null) return;
  try {
    const result = await api<Validation>("/api/policy/validate", { method: "POST", body });
    if (result.ok) {
      issuesBox.replaceChildren(h("ul", { class: "issues" }, h("li", { class: "ok" }, "The policy is valid.")));
      announce("The policy is valid.");
    } else failed(new ApiError(422, "invalid_policy", "invalid", result));
  } catch (error) {
    failed(error);
  }
}

function renderDryRun(r: DryRun) {
  const count = (counts: Readonly<Record<string, number>>, a: string) => counts[a] ?? 0;
  const delta = (a: string) => count(r.after, a) - count(r.before, a);
  const transitions = Object.entries(r.transitions).filter(([, n]) => Number(n) > 0);
  fill(
    byId("dry-run"),
    h("p", null, h("strong", null, fmtInt(r.changed)), " of " + fmtInt(r.evaluated) + " recent decisions would come out differently."),
    dataTable(
      ["Action", num("Active policy"), num("Edited policy"), num("Change")],
      ACTIONS.map((a) =>
        h(
          "tr",
          null,
          h("td", null, actionBadge(a)),
          h("td", { class: "num" }, fmtInt(count(r.before, a))),
          h("td", { class: "num" }, fmtInt(count(r.after, a))),
          h("td", { class: "num" }, delta(a) === 0 ? "–" : (delta(a) > 0 ? "+" : "") + fmtInt(delta(a))),
        ),
      ),
    ),
    transitions.length > 0
      ? h(
          "p",
          null,
          transitions.map(([k, n]) => h("span", { class: "chip" }, k.replace(/->|:/, " → ") + ": " + n)),
        )
      : null,
    r.samples.length > 0
      ? h(
          "details",
          { class: "chart-data", open: true },
          h("summary", null, "Examples of changed decisions"),
          dataTable(
            ["When", "IP", "Path", "Before", "After", "Decided by"],
            r.samples.map((s) =>
              h(
                "tr",
                null,
                h("td", null, fmtTime(s.at)),
                h("td", { class: "mono" }, s.ip),
                h("td", { class: "path" }, s.path),
                h("td", null, actionBadge(s.before), " " + s.scoreBefore),
                h("td", null, actionBadge(s.after), " " + s.scoreAfter),
                h("td", { class: "mono" }, s.decidedByAfter || "score"),
              ),
            ),
          ),
        )
      : null,
  );
}

async function preview() {
  const body = candidate();
  if (body === null) return;
  byId("dry-run").replaceChildren(h("p", { class: "muted" }, "Re-deciding recent traffic…"));
  try {
    renderDryRun(await api<DryRun>("/api/policy/dry-run", { method: "POST", body: { ...body, limit: 1000 } }));
    issuesBox.replaceChildren();
    const prices = await pricePreview(body.policy);
    if (prices !== null) byId("dry-run").prepend(prices);
  } catch (error) {
    byId("dry-run").replaceChildren(emptyState("No preview", messageOf(error)));
    failed(error);
  }
}

async function save() {
  const body = candidate();
  if (body === null) return;
  const note = (byId("policy-note") as HTMLInputElement).value.trim();
  try {
    await api("/api/policy", { method: "PUT", body: { ...body, note: note || undefined } });
    saved = editor.value;
    issuesBox.replaceChildren();
    announce("Saved. Every edge isolate applies it within 30 seconds.");
    await Promise.all([loadPolicy(), loadHistory()]);
  } catch (error) {
    failed(error, true);
  }
}

async function loadHistory() {
  try {
    const { versions } = await api<PolicyHistory>("/api/policy/history?limit=20");
    byId("history").replaceChildren(
      versions.length === 0
        ? emptyState("No saved versions yet", "Policies saved here are listed with who saved them and why.")
        : h(
            "ul",
            { class: "issues" },
            versions.map((v) =>
              h(
                "li",
                { class: "ok" },
                h("strong", null, fmtTime(v.at)),
                " by " + v.actor + (v.note ? ": " + v.note : "") + " ",
                h(
                  "button",
                  {
                    type: "button",
                    class: "small",
                    onclick: () => {
                      editor.value = JSON.stringify(v.policy, null, 2);
                      editor.focus();
                      announce("Loaded the version of " + fmtTime(v.at) + " into the editor; save to activate it.");
                    },
                  },
                  "Load into editor",
                ),
              ),
            ),
          ),
    );
  } catch (error) {
    byId("history").replaceChildren(errorState(error));
  }
}

byId("btn-validate").addEventListener("click", () => void validate());
byId("btn-preview").addEventListener("click", () => void preview());
byId("policy-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void save();
});
/** A suggestion's policy goes into the editor as a draft and straight into the dry run; saving stays the operator's step. */
function applyDraft(policy: unknown, label: string) {
  editor.value = JSON.stringify(policy, null, 2);
  issuesBox.replaceChildren();
  announce("Draft loaded into the editor (" + label + "); nothing is saved until you save it.");
  void preview();
}
const suggestDays = byId("suggest-days") as HTMLSelectElement;
suggestDays.addEventListener("change", () => void loadSuggestions(Number(suggestDays.value), applyDraft));
operatorOnly(byId("btn-save"));
void loadPolicy();
void loadHistory();
void loadSuggestions(Number(suggestDays.value), applyDraft);
