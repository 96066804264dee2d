/* Web Worker shim for pages opened from disk (file://), where browsers refuse real workers.
   Adapted from iframe-worker 1.0.4 (https://github.com/squidfunk/iframe-worker, MIT licence,
   (c) 2020-2022 Martin Donath). Unlike the original, the worker's hidden iframe runs no inline
   script: its helpers come from iframe-worker-bootstrap.js, so the site's Content-Security-Policy
   can forbid inline code. Shipped inside the site so that search needs no CDN. */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var bootstrap = new URL("iframe-worker-bootstrap.js", here || location.href).href;

  function attribute(value) {
    return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  class IFrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.m = (event) => {
        if (event.source !== this.w) return;
        this.dispatchEvent(new MessageEvent("message", { data: event.data }));
        if (this.onmessage) this.onmessage(event);
      };
      this.e = (message, filename, lineno, colno, error) => {
        if (filename !== String(this.url)) return;
        var event = new ErrorEvent("error", { message, filename, lineno, colno, error });
        this.dispatchEvent(event);
        if (this.onerror) this.onerror(event);
      };
      var frame = document.createElement("iframe");
      frame.hidden = true;
      document.body.appendChild((this.iframe = frame));
      this.w.document.open();
      this.w.document.write(
        '<html><body><script src="' + attribute(bootstrap) + '" data-worker="' + attribute(url) + '"></script>' +
        '<script src="' + attribute(url + "?" + Date.now()) + '"></script></body></html>'
      );
      this.w.document.close();
      window.onmessage = this.m;
      window.onerror = this.e;
      this.r = new Promise((resolve, reject) => {
        this.w.onload = resolve;
        this.w.onerror = reject;
      });
    }
    terminate() {
      this.iframe.remove();
      window.onmessage = window.onerror = null;
    }
    postMessage(data) {
      this.r.catch().then(() => {
        this.w.dispatchEvent(new MessageEvent("message", structuredClone({ data })));
      });
    }
    get w() {
      return this.iframe.contentWindow;
    }
  }

  window.IFrameWorker = IFrameWorker;
  if (location.protocol === "file:") window.Worker = IFrameWorker;
})();
