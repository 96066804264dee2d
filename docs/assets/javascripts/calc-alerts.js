// Alerts at your prevalence: the formulas (the same operations, in the same order, as aiguide/calculators.py).
// Everything else (fields, checks, results, saving, links) is in calc-core.js.
(function () {
  "use strict";
  if (!window.agCalc) return;

  function remarks(se, sp, p, n) {
    var list = [];
    if (n === 0) list.push("With no studies there are no alerts; the predictive values hold for any volume.");
    if (p === 0) list.push("At 0% prevalence no study has the finding: every alert is false and no case can be missed.");
    if (p === 1) list.push("At 100% prevalence every study has the finding: no alert is false.");
    if (se === 1) list.push("A sensitivity of 100% means no case is ever missed; few tools reach it, so check the figure.");
    if (sp === 1) list.push("A specificity of 100% means no false alerts at all; few tools reach it, so check the figure.");
    return list;
  }

  function compute(v) {
    var se = v.sensitivity / 100;
    var sp = v.specificity / 100;
    var p = v.prevalence / 100;
    var n = v["studies-per-day"];
    var days = v["working-days"];
    var out = { results: {}, why: {}, remarks: [] };
    var trueAlerts = n * p * se;
    var falseAlerts = n * (1 - p) * (1 - sp);
    var missed = n * p * (1 - se);
    out.results["true-alerts"] = trueAlerts;
    out.results["false-alerts"] = falseAlerts;
    out.results["all-alerts"] = trueAlerts + falseAlerts;
    out.results["missed-per-month"] = missed * days;
    if (trueAlerts > 0) {
      out.results["false-per-true"] = falseAlerts / trueAlerts;
    } else {
      out.results["false-per-true"] = null;
      out.why["false-per-true"] = "Not defined: no true alerts are expected.";
    }
    var positive = se * p + (1 - sp) * (1 - p);
    if (positive > 0) {
      out.results.ppv = se * p / positive * 100;
    } else {
      out.results.ppv = null;
      out.why.ppv = "Not defined: the tool would raise no alerts at all.";
    }
    var negative = sp * (1 - p) + (1 - se) * p;
    if (negative > 0) {
      out.results.npv = sp * (1 - p) / negative * 100;
    } else {
      out.results.npv = null;
      out.why.npv = "Not defined: the tool would flag every study.";
    }
    out.remarks = remarks(se, sp, p, n);
    return out;
  }

  window.agCalc.register("alerts", {
    compute: compute,
    summary: ["true-alerts", "false-alerts", "ppv", "missed-per-month"],
  });
})();
