import type { Recommendations } from "./api-types";
import { api, canOperate, dataTable, emptyState, errorState, fill, fmtInt, h, num } from "./app";

type Suggestion = Recommendations["suggestions"][number];
type Change = Suggestion["changes"][number];
type Outcome = Recommendations["current"];

const changeText = (c: Change) => (c.kind === "threshold" ? c.name + " threshold " : "weight of " + c.code + " ") + c.from + " → " + c.to;
const arrow = (a: number, b: number) => (a === b ? fmtInt(a) : fmtInt(a) + " → " + fmtInt(b));

function row(s: Suggestion, i: number, apply: (policy: unknown, label: string) => void) {
  const label = s.changes.map(changeText).join(", ");
  const o = (f: keyof Outcome) => h("td", { class: "num" }, arrow(s.before[f], s.after[f]));
  return h(
    "tr",
    null,
    h("td", null, label),
    h("td", { class: "num" }, fmtInt(s.changed)),
    o("misses"),
    o("falseAlarms"),
    o("lockouts"),
    h(
      "td",
      null,
      h(
        "button",
        { type: "button", class: "small", "data-suggestion": String(i), onclick: () => apply(s.policy, label) },
        "Apply as draft",
      ),
    ),
  );
}

/**
 * The Suggestions card: thresholds and weights that would have done better on the last `days` of labelled traffic.
 * "Apply as draft" hands the suggested policy to `apply` (the editor and its dry run); nothing is published here.
 */
export async function loadSuggestions(days: number, apply: (policy: unknown, label: string) => void) {
  const box = document.getElementById("policy-suggestions");
  if (box === null) return;
  if (!canOperate()) {
    fill(box, emptyState("Suggestions need the operator role", "An operator sees thresholds and weights suggested from labelled traffic."));
    return;
  }
  fill(box, h("p", { class: "muted" }, "Learning from labelled traffic…"));
  try {
    const r = await api<Recommendations>("/api/policy/recommendations?days=" + days);
    const counts = fmtInt(r.sampleSize) + " labelled decisions (" + fmtInt(r.bots) + " bots, " + fmtInt(r.humans) + " people)";
    if (r.bots < r.minimumPerLabel || r.humans < r.minimumPerLabel) {
      fill(
        box,
        emptyState(
          "Too few labels to suggest anything",
          counts +
            " in the last " +
            days +
            " days; at least " +
            r.minimumPerLabel +
            " bots and " +
            r.minimumPerLabel +
            " people are needed.",
        ),
      );
      return;
    }
    const now = "Now: " + r.current.misses + " bots let through, " + r.current.falseAlarms + " people challenged or worse.";
    fill(
      box,
      h("p", { class: "muted" }, counts + " in the last " + days + " days. " + now),
      r.suggestions.length === 0
        ? emptyState("Nothing to suggest", "No threshold or weight in the search does better on these labels.")
        : dataTable(
            ["Change", num("Decisions changed"), num("Misses"), num("False alarms"), num("People locked out"), ""],
            r.suggestions.map((s, i) => row(s, i, apply)),
          ),
    );
  } catch (error) {
    box.replaceChildren(errorState(error));
  }
}
