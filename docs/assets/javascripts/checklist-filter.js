// Filter the checklist page by several roles and steps at once, and by tier.
// Plain JavaScript; without it every item shows and the (hidden) filters never appear.
(function () {
  "use strict";

  function checked(form, name) {
    return Array.prototype.filter
      .call(form.querySelectorAll('input[name="' + name + '"]'), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function setUp(form) {
    var items = document.querySelectorAll(".ag-item");
    var sections = document.querySelectorAll(".ag-phase-section");
    var status = form.querySelector(".ag-filter-status");

    function apply() {
      var roles = checked(form, "role");
      var phases = checked(form, "phase");
      var essentialOnly = checked(form, "essential-only").length > 0;
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var itemRoles = item.getAttribute("data-roles").split(" ");
        var visible =
          (!roles.length || roles.some(function (role) { return itemRoles.indexOf(role) !== -1; })) &&
          (!phases.length || phases.indexOf(item.getAttribute("data-phase")) !== -1) &&
          (!essentialOnly || item.getAttribute("data-tier") === "essential");
        item.hidden = !visible;
        if (visible) shown += 1;
      });
      Array.prototype.forEach.call(sections, function (section) {
        section.hidden = !section.querySelector(".ag-item:not([hidden])");
      });
      status.textContent = shown + " of " + items.length + " checklist items shown";
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-ag-checklist-filter]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
