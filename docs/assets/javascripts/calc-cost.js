// Cost of ownership: the yearly table (the same operations, in the same order, as aiguide/calculators.py).
// Everything else, the CSV download included, is in calc-core.js.
(function () {
  "use strict";
  if (!window.agCalc) return;

  var COLUMNS = ["licence", "integration", "infrastructure", "validation", "training", "monitoring"];

  function licence(v, model, year) {
    if (model === "subscription") return v["subscription-fee"];
    if (model === "per-study") {
      var growth = 1 + v["volume-change"] / 100;
      var factor = 1;
      for (var i = 0; i < year - 1; i += 1) factor = factor * growth;
      return v["fee-per-study"] * v["studies-per-year"] * factor;
    }
    if (year === 1) return v["licence-price"];
    return v["licence-price"] * (v["maintenance-rate"] / 100);
  }

  function compute(v) {
    var years = v.years, model = v["licence-model"];
    var savings = { low: v["savings-low"], base: v["savings-base"], high: v["savings-high"] };
    var totals = {};
    COLUMNS.concat(["total-cost", "net-low", "net-base", "net-high"]).forEach(function (key) { totals[key] = 0; });
    var rows = [];
    for (var year = 1; year <= years; year += 1) {
      var first = year === 1;
      var row = {
        licence: licence(v, model, year),
        integration: first ? v.integration : 0,
        infrastructure: (first ? v.hardware : 0) + v.hosting,
        validation: first ? v.validation : 0,
        training: first ? v.training : v["refresher-training"],
        monitoring: v["monitoring-hours"] * 12 * v["hourly-cost"],
      };
      var total = 0;
      COLUMNS.forEach(function (column) { total = total + row[column]; });
      row["total-cost"] = total;
      Object.keys(savings).forEach(function (key) { row["net-" + key] = total - savings[key]; });
      Object.keys(row).forEach(function (key) { totals[key] = totals[key] + row[key]; });
      row.year = year;
      rows.push(row);
    }
    var remarks = [];
    if (savings.low > savings.base || savings.base > savings.high) {
      remarks.push("The savings cases are not in order from low to high; check them.");
    }
    return { results: totals, why: {}, remarks: remarks, rows: rows };
  }

  window.agCalc.register("cost", { compute: compute, summary: ["total-cost", "net-base"] });
})();
