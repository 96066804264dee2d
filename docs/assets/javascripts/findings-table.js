// Filter and sort the findings table. Plain JavaScript, no dependencies.
// Without JavaScript the full table is shown and the (hidden) filters never appear.
(function () {
  "use strict";

  function setUp(form) {
    var table = document.getElementById(form.getAttribute("data-ag-filter-for"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var status = form.querySelector(".ag-filter-status");

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var visible = Array.prototype.every.call(form.elements, function (control) {
          if (control.tagName !== "SELECT" || !control.value) return true;
          var values = (row.getAttribute("data-" + control.name) || "").split(" ");
          return values.indexOf(control.value) !== -1;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      status.textContent = shown + " of " + rows.length + " findings shown";
    }

    function sortBy(header, index) {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
        cell.removeAttribute("aria-sort");
      });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (row) {
        var cell = row.cells[index];
        return cell.getAttribute("data-value") || cell.textContent.trim().toLowerCase();
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var result = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? result : -result;
      });
      rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      if (!header.hasAttribute("data-sort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = header.textContent;
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(header, index); });
    });

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-ag-filter-for]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
