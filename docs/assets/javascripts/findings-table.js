// Filter and sort the findings table, and choose its columns. Plain JavaScript, no dependencies.
// Each optional column's cells carry the class ag-col-<name>; a column is hidden while the table's wrapper has
// the class ag-hide-<name> (the page starts with the columns that fit a laptop screen). Without JavaScript the table keeps
// the columns it was built with (roles and steps are on each finding's theme page too), and the (hidden)
// filters and column chooser never appear.
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

  // The column chooser: one tick box per optional column.
  function setUpColumns(form) {
    var wrapper = document.getElementById(form.getAttribute("data-ag-columns-for"));
    if (!wrapper) return;
    function showColumns() {
      Array.prototype.forEach.call(form.querySelectorAll('input[name="column"]'), function (box) {
        wrapper.classList.toggle("ag-hide-" + box.value, !box.checked);
      });
    }
    form.addEventListener("change", showColumns);
    form.hidden = false;
    showColumns();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-ag-filter-for]"), setUp);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-ag-columns-for]"), setUpColumns);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
