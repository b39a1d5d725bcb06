import { describe, expect, it } from "vitest";
import { modeInForce, modeView } from "../../core/mode";

describe("modeInForce", () => {
  it.each([
    ["", "observe", "observe", "policy"],
    ["", "enforce", "enforce", "policy"],
    ["enforce", "observe", "enforce", "var"],
    ["observe", "enforce", "observe", "var"],
    [" observe ", "enforce", "observe", "var"],
    ["enforcing", "observe", "observe", "policy"],
  ] as const)("MODE %j with the policy in %s: %s, decided by the %s", (modeVar, policyMode, mode, source) => {
    expect(modeInForce(modeVar, policyMode)).toMatchObject({ mode, source });
  });

  it("says why, naming what the other setting says", () => {
    expect(modeInForce("enforce", "observe").reason).toMatch(/overrides the policy's "observe"; empty MODE and redeploy/);
    expect(modeInForce("", "observe").reason).toMatch(/the policy's mode: MODE .* is empty/);
    expect(modeInForce("on", "enforce").reason).toMatch(/MODE = "on" .* is neither "observe" nor "enforce", so it is ignored/);
  });
});

describe("modeView", () => {
  it("shows the policy's mode with a caveat until an edge reports its MODE var", () => {
    expect(modeView(null, "observe")).toMatchObject({ inForce: "observe", source: "unknown", modeVar: null, reportedAt: null });
  });

  it("lets a reported MODE var decide even when the stored policy does not compile", () => {
    expect(modeView({ modeVar: "observe", at: 5 }, null)).toMatchObject({ inForce: "observe", source: "var", reportedAt: 5 });
    expect(modeView({ modeVar: "", at: 5 }, null)).toMatchObject({ inForce: null, source: "policy" });
  });
});
