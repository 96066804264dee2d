/* Search index on demand. Served over http(s), Material for MkDocs downloads the whole search index
   (search/search_index.json, some 650 kB) on every page as soon as the page opens, reads it on the main
   thread and hands it to its search worker, which indexes it straight away: work that competes with
   showing the page, for a search that most readers never open. Opened from disk (file://), Material already
   waits until the search is opened; this script makes http(s) do the same. The request for the index
   (Material makes it with XMLHttpRequest) is sent only once the reader goes to the search box (pointer
   over it or on it, keyboard shortcut, Tab), or at once on a page opened from a search result (?h=...,
   where Material highlights the search terms). Until the index is ready the search says "Initializing search", as it
   does from disk. Loaded before Material's bundle (extra.polyfills in mkdocs.yml). */
(function () {
  "use strict";
  if (location.protocol === "file:" || typeof XMLHttpRequest !== "function") return;
  var proto = XMLHttpRequest.prototype;
  var open = proto.open;
  var send = proto.send;
  var held = new WeakSet();
  var waiting = [];
  var released = false;

  function isIndex(url) {
    try {
      var parsed = new URL(String(url), location.href);
      return parsed.origin === location.origin && /\/search\/search_index\.json$/.test(parsed.pathname);
    } catch (e) {
      return false;
    }
  }
  function release() {
    if (released) return;
    released = true;
    ["focusin", "pointerover", "pointerdown"].forEach(function (type) {
      document.removeEventListener(type, onUse, true);
    });
    waiting.splice(0).forEach(function (go) { go(); });
  }
  function onUse(event) {
    var target = event.target;
    if (target && target.closest && target.closest(".md-search, label[for='__search']")) release();
  }

  proto.open = function (method, url) {
    if (!released && isIndex(url)) held.add(this);
    else held.delete(this);
    return open.apply(this, arguments);
  };
  proto.send = function () {
    var request = this;
    var args = arguments;
    if (released || !held.has(request)) return send.apply(request, args);
    waiting.push(function () { send.apply(request, args); });
  };

  if (new URLSearchParams(location.search).has("h")) {
    release();
  } else {
    ["focusin", "pointerover", "pointerdown"].forEach(function (type) {
      document.addEventListener(type, onUse, true);
    });
  }
})();
