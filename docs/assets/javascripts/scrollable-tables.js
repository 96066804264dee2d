// Wide tables scroll sideways inside Material's wrapper; while a wrapper overflows it becomes a focusable,
// named region so keyboard users can scroll it (WCAG 2.1.1; axe rule scrollable-region-focusable).
// Material does the same for code blocks. Loaded after Material's bundle, which defines document$.
document$.subscribe(function () {
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
  function update(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      var name = title(wrap);
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", name ? "Table: " + name + " (scrolls sideways)" : "Table (scrolls sideways)");
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  }
  var wraps = document.querySelectorAll(".md-typeset__scrollwrap");
  wraps.forEach(update);
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target.closest(".md-typeset__scrollwrap")); });
    });
    wraps.forEach(function (wrap) {
      observer.observe(wrap);
      if (wrap.firstElementChild) observer.observe(wrap.firstElementChild);
    });
  }
});
