// Questions for suppliers: filter by role, step, group and tier; tick questions; download the ticked ones as CSV.
// Plain JavaScript, no requests: the CSV is built in the browser from the page's
// <script id="ag-vq-data"> JSON (the rows of the published vendor-questions.csv) and saved through a Blob link.
// Without this script every question shows and the (hidden) filters and tick boxes never appear.
(function () {
  "use strict";

  var FORMULA_START = /^[=+\-@\t\r]/;

  function checked(root, name) {
    return Array.prototype.filter
      .call(root.querySelectorAll('input[name="' + name + '"]'), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function overlaps(values, wanted) {
    return !wanted.length || wanted.some(function (value) { return values.indexOf(value) !== -1; });
  }

  // The same rules as Python's csv module with minimal quoting, after the same guard against formulas.
  function csvField(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (FORMULA_START.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csvText(columns, rows) {
    var lines = [columns].concat(rows).map(function (row) { return row.map(csvField).join(","); });
    return "\uFEFF" + lines.join("\r\n") + "\r\n";
  }

  function save(text, name) {
    var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function setUp(form, config) {
    var questions = document.querySelectorAll(".ag-vq");
    var groups = document.querySelectorAll(".ag-vq-group");
    var picks = document.querySelectorAll('input[name="vq-pick"]');
    var status = form.querySelector(".ag-filter-status");
    var picked = form.querySelector(".ag-vq-picked");

    function isShown(box) {
      return !box.closest(".ag-vq").hidden;
    }

    function report(extra) {
      var ticked = Array.prototype.filter.call(picks, function (box) { return box.checked; });
      var hidden = ticked.filter(function (box) { return !isShown(box); }).length;
      var text = plural(ticked.length, "question", "questions") + " ticked";
      if (hidden) text += " (" + hidden + " hidden by the filters)";
      picked.textContent = extra ? extra + " " + text + "." : text + ".";
    }

    function apply() {
      var roles = checked(form, "role");
      var phases = checked(form, "phase");
      var chosenGroups = checked(form, "group");
      var essentialOnly = checked(form, "essential-only").length > 0;
      var shown = 0;
      Array.prototype.forEach.call(questions, function (question) {
        var visible =
          overlaps(question.getAttribute("data-roles").split(" "), roles) &&
          overlaps(question.getAttribute("data-phases").split(" "), phases) &&
          (!chosenGroups.length || chosenGroups.indexOf(question.getAttribute("data-group")) !== -1) &&
          (!essentialOnly || question.getAttribute("data-tier") === "essential");
        question.hidden = !visible;
        if (visible) shown += 1;
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !group.querySelector(".ag-vq:not([hidden])");
      });
      status.textContent = shown + " of " + questions.length + " questions shown";
      report("");
    }

    function download() {
      var ids = Array.prototype.filter
        .call(picks, function (box) { return box.checked; })
        .map(function (box) { return box.value; })
        .filter(function (id) { return Object.prototype.hasOwnProperty.call(config.rows, id); });
      if (!ids.length) {
        picked.textContent = "Tick at least one question first.";
        return;
      }
      save(csvText(config.columns, ids.map(function (id) { return config.rows[id]; })), config.file);
      report("Downloaded " + config.file + " with " + plural(ids.length, "question", "questions") + ".");
    }

    function tickShown(state) {
      Array.prototype.forEach.call(picks, function (box) {
        if (!state || isShown(box)) box.checked = state;
      });
      report("");
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "download") download();
      else if (action === "tick-shown") tickShown(true);
      else if (action === "untick") tickShown(false);
    });
    Array.prototype.forEach.call(picks, function (box) {
      box.addEventListener("change", function () { report(""); });
      box.closest(".ag-vq-pick").hidden = false;
    });
    form.hidden = false;
    apply();
  }

  function init() {
    var form = document.querySelector("form[data-ag-vendor-questions]");
    var data = document.getElementById("ag-vq-data");
    if (!form || !data) return;
    var config;
    try {
      config = JSON.parse(data.textContent);
    } catch (error) {
      return; // without its data the page stays a readable list
    }
    setUp(form, config);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
