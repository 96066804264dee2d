/* Runs inside the hidden iframe of iframe-worker-shim.js: gives the worker script the worker
   globals it expects (postMessage to the page, importScripts, error reporting). */
(function () {
  "use strict";
  var worker = document.currentScript.getAttribute("data-worker");
  window.postMessage = function (message, origin) {
    parent.postMessage(message, origin || "*");
  };
  window.importScripts = function () {
    return Array.prototype.reduce.call(arguments, function (ready, url) {
      return ready.then(function () {
        return new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = url;
          script.onload = resolve;
          document.body.appendChild(script);
        });
      });
    }, Promise.resolve());
  };
  window.addEventListener("error", function (event) {
    parent.dispatchEvent(new ErrorEvent("error", { filename: worker, error: event.error }));
  });
})();
