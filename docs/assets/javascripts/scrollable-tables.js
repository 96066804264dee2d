// Wide tables scroll sideways inside Material's wrapper; while a wrapper overflows it becomes a focusable,
// named region so keyboard users can scroll it (WCAG 2.1.1; axe rule scrollable-region-focusable), and a line
// above it says so for everyone who might not notice that part of the table is out of sight.
// Material does the same for code blocks. Loaded after Material's bundle, which defines document$, and only
// on pages with a table (overrides/main.html).
// A ResizeObserver reports every wrapper once after the page's next layout and again whenever its size
// changes, so the widths are read when they are already known: the script never forces a layout of its own.
document$.subscribe(function () {
  var wraps = document.querySelectorAll(".md-typeset__scrollwrap");
  if (!wraps.length) return;
  function title(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var node = wrap; node && !node.classList.contains("md-content__inner"); node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) {
          var heading = prev.cloneNode(true);
          heading.querySelectorAll(".headerlink").forEach(function (link) { link.remove(); });
          return heading.textContent.trim();
        }
      }
    }
    return "";
  }
  function hint(wrap) {
    var before = wrap.previousElementSibling;
    return before && before.classList.contains("ag-scroll-hint") ? before : null;
  }
  function mark(wrap, overflows) {
    if (overflows === wrap.hasAttribute("tabindex")) return;
    if (overflows) {
      var name = title(wrap);
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", name ? "Table: " + name + " (scrolls sideways)" : "Table (scrolls sideways)");
      var line = document.createElement("p");
      line.className = "ag-scroll-hint";
      line.setAttribute("aria-hidden", "true"); // the region's name says it already
      line.textContent = "This table is wider than the screen: scroll it sideways to see every column.";
      wrap.parentNode.insertBefore(line, wrap);
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
      if (hint(wrap)) hint(wrap).remove();
    }
  }
  function update(list) {
    // All widths first, then all changes: a change between two reads would force a new layout.
    var overflows = list.map(function (wrap) { return wrap.scrollWidth > wrap.clientWidth + 1; });
    list.forEach(function (wrap, index) { mark(wrap, overflows[index]); });
  }
  if (!("ResizeObserver" in window)) {
    update(Array.prototype.slice.call(wraps));
    return;
  }
  var observer = new ResizeObserver(function (entries) {
    var changed = [];
    entries.forEach(function (entry) {
      var wrap = entry.target.closest(".md-typeset__scrollwrap");
      if (wrap && changed.indexOf(wrap) === -1) changed.push(wrap);
    });
    update(changed);
  });
  wraps.forEach(function (wrap) {
    observer.observe(wrap);
    if (wrap.firstElementChild) observer.observe(wrap.firstElementChild);
  });
});
