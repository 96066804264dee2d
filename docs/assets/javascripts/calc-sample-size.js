// Local validation sample size: the formulas (the same operations, in the same order, as
// aiguide/calculators.py). The z value of each confidence level comes from the page's data, worked out
// by Python at build time. Everything else is in calc-core.js.
(function () {
  "use strict";
  if (!window.agCalc) return;

  function ceilUp(value) { return Math.ceil(value - 1e-9); }
  function casesNeeded(accuracy, d, z) {
    if (accuracy <= 0 || accuracy >= 1) return null;
    return ceilUp(z * z * accuracy * (1 - accuracy) / (d * d));
  }
  function zFor(config, id) {
    var choice = config.choices.filter(function (c) { return c.id === "confidence"; })[0];
    var option = choice ? choice.options.filter(function (o) { return o.id === id; })[0] : null;
    return option && typeof option.z === "number" && isFinite(option.z) && option.z > 0 ? option.z : null;
  }

  function compute(v, config) {
    var se = v.sensitivity / 100;
    var sp = v.specificity / 100;
    var p = v.prevalence / 100;
    var d = v.precision / 100;
    if (v["precision-kind"] === "width") d = d / 2;
    var z = zFor(config, v.confidence);
    var out = { results: {}, why: {}, remarks: [] };
    out.results["half-width"] = d * 100;
    out.results.z = z;
    if (z === null) {
      out.why.z = "Not defined: this confidence level has no z value in the page's data.";
      ["positives-needed", "negatives-needed", "total-for-sensitivity", "total-for-specificity", "total",
        "expected-positives"].forEach(function (id) { out.results[id] = null; out.why[id] = out.why.z; });
      return out;
    }
    var positives = casesNeeded(se, d, z);
    var negatives = casesNeeded(sp, d, z);
    out.results["positives-needed"] = positives;
    out.results["negatives-needed"] = negatives;
    if (positives === null) {
      out.why["positives-needed"] = "Not defined at 0% or 100%: enter the sensitivity you realistically expect.";
    }
    if (negatives === null) {
      out.why["negatives-needed"] = "Not defined at 0% or 100%: enter the specificity you realistically expect.";
    }
    [["total-for-sensitivity", positives, p, "positive"], ["total-for-specificity", negatives, 1 - p, "negative"]]
      .forEach(function (entry) {
        var key = entry[0], needed = entry[1], share = entry[2];
        if (needed === null) {
          out.results[key] = null;
          out.why[key] = "Not defined: see the line above.";
        } else if (share > 0) {
          out.results[key] = ceilUp(needed / share);
        } else {
          out.results[key] = null;
          out.why[key] = "Not defined: at this prevalence no " + entry[3] + " cases would ever be found.";
        }
      });
    var forSe = out.results["total-for-sensitivity"], forSp = out.results["total-for-specificity"];
    if (forSe === null || forSp === null) {
      out.results.total = out.results["expected-positives"] = null;
      out.why.total = out.why["expected-positives"] = "Not defined: one of the two numbers above is not.";
    } else {
      var total = Math.max(forSe, forSp);
      out.results.total = total;
      out.results["expected-positives"] = total * p;
    }
    return out;
  }

  window.agCalc.register("sample-size", {
    compute: compute,
    summary: ["total", "positives-needed", "negatives-needed"],
  });
})();
