// Decision calculators: the shared part. Fields, checks, results tables, saved figures, links and CSV.
// Plain JavaScript, no requests, no cookies. Each calculator page embeds its inputs, limits and labels
// as <script type="application/json" id="calc-<id>-data">; its own script (calc-<id>.js) holds only the
// formulas and registers them with window.agCalc.register(id, {compute, summary}). The same formulas and
// checks run in Python (aiguide/calculators.py), which works out each page's worked example.
// Without JavaScript the page keeps its formulas and worked example; the form stays hidden.
//
// Link format, in the URL fragment (which browsers never send to a server):
//   #<choice or input id>=<value>&<id>=<value>...   each value passed through encodeURIComponent.
// Only a fragment holding "=" is read as figures, so ordinary anchors (#formulas) are left alone.
// Keys the page does not know and values that fail the checks are ignored, and the notice names them.
//
// Saved figures: localStorage[storageKey] = {"schema":1,"version":"<guide version>","saved":"<ISO time>",
//   "values":{"<id>":"<text as typed>"}}, written only while every field holds an acceptable value.
// Whatever is read back is type-checked entry by entry; what fails is dropped with a notice.
(function () {
  "use strict";

  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
  var MAX_TEXT = 30;
  var registry = {};
  var running = {};

  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key);
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return null; }
  }
  function today() {
    var d = new Date();
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()]
      .map(function (n) { return (n < 10 ? "0" : "") + n; }).join("-");
  }

  // --- Numbers (the same operations as aiguide/calculators.py) ----------------------------
  function groupDigits(digits) { return digits.replace(/\B(?=(\d{3})+$)/g, ","); }
  function format(value, decimals, minus) {
    if (typeof value !== "number" || !isFinite(value)) return "";
    var scaled = Math.floor(Math.abs(value) * Math.pow(10, decimals) + 0.5);
    if (scaled >= 1e21) return "";
    var digits = String(scaled);
    while (digits.length < decimals + 1) digits = "0" + digits;
    var whole = decimals ? digits.slice(0, -decimals) : digits;
    var fraction = decimals ? digits.slice(-decimals) : "";
    var sign = value < 0 && scaled > 0 ? (minus === undefined ? "\u2212" : minus) : "";
    return sign + groupDigits(whole) + (fraction ? "." + fraction : "");
  }
  function csvNumber(value) { return format(value, 2, "-").replace(/,/g, ""); }
  function plainNumber(value) { return groupDigits(String(value)); }

  // (value, "") for acceptable text, else (null, message); an empty optional field counts as 0.
  function parse(spec, text) {
    if (typeof text !== "string") return { value: null, error: spec.label + ": enter a plain number such as 2.5." };
    text = text.trim();
    if (!text) {
      return spec.optional ? { value: 0, error: "" } : { value: null, error: "Enter a value for " + spec.label + "." };
    }
    if (text.length > MAX_TEXT || !NUMBER.test(text)) {
      return { value: null, error: spec.label + ": enter a plain number such as 2.5 " +
        "(digits with a decimal point; no spaces, commas, letters or units)." };
    }
    var value = Number(text);
    if (value < spec.min || value > spec.max) {
      return { value: null, error: spec.label + " must be from " + plainNumber(spec.min) + " to " +
        plainNumber(spec.max) + "." };
    }
    if (spec.whole && !Number.isInteger(value)) return { value: null, error: spec.label + " must be a whole number." };
    return { value: value, error: "" };
  }

  // --- One calculator ---------------------------------------------------------------------
  function setUp(root, config, calc) {
    var base = "calc-" + config.id;
    var $ = function (suffix) { return document.getElementById(base + "-" + suffix); };
    var form = $("form"), results = $("results"), live = $("live"), output = $("output");
    var notice = $("notice"), shareField = $("share");
    var inputById = {}, choiceById = {}, fields = {}, radios = {};
    config.inputs.forEach(function (spec) { inputById[spec.id] = spec; fields[spec.id] = $(spec.id); });
    config.choices.forEach(function (choice) {
      choiceById[choice.id] = choice;
      radios[choice.id] = Array.prototype.filter.call($(choice.id).querySelectorAll("input[type=radio]"),
        function (radio) { return radio.name === choice.id; });
    });
    var lastOutcome = null;

    function isOption(choice, value) {
      return typeof value === "string" && choice.options.some(function (option) { return option.id === value; });
    }
    function chosen() {
      var picked = {};
      config.choices.forEach(function (choice) {
        var checked = radios[choice.id].filter(function (radio) { return radio.checked; })[0];
        picked[choice.id] = checked && isOption(choice, checked.value) ? checked.value : choice.default;
      });
      return picked;
    }
    function isActive(spec, picked) {
      if (!spec.onlyFor) return true;
      return Object.keys(picked).some(function (id) { return picked[id] === spec.onlyFor; });
    }
    // The figures as typed: {id: text} for active inputs and {id: option} for choices.
    function readTexts() {
      var picked = chosen(), texts = {};
      Object.keys(picked).forEach(function (id) { texts[id] = picked[id]; });
      config.inputs.forEach(function (spec) {
        if (isActive(spec, picked)) texts[spec.id] = fields[spec.id].value;
      });
      return texts;
    }
    function writeTexts(texts) {
      config.choices.forEach(function (choice) {
        var value = own(texts, choice.id) ? texts[choice.id] : choice.default;
        radios[choice.id].forEach(function (radio) { radio.checked = radio.value === value; });
      });
      config.inputs.forEach(function (spec) {
        fields[spec.id].value = own(texts, spec.id) ? texts[spec.id] : spec.default;
      });
    }
    function showActive(picked) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-only-for]"), function (wrapper) {
        var active = Object.keys(picked).some(function (id) {
          return picked[id] === wrapper.getAttribute("data-only-for");
        });
        wrapper.hidden = !active;
        Array.prototype.forEach.call(wrapper.querySelectorAll("input"), function (field) { field.disabled = !active; });
      });
    }
    function markField(spec, message) {
      var field = fields[spec.id], error = $(spec.id + "-error");
      var described = base + "-" + spec.id + "-help" + (message ? " " + base + "-" + spec.id + "-error" : "");
      field.setAttribute("aria-describedby", described);
      if (message) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
      error.textContent = message;
      error.hidden = !message;
    }

    // --- Results -------------------------------------------------------------------------
    function cell(result, value, why) {
      if (typeof value !== "number" || !isFinite(value)) {
        return '<td data-value="">' + esc(why || "Not defined.") + "</td>";
      }
      return '<td data-value="' + esc(String(value)) + '">' + esc(format(value, result.decimals)) +
        (result.unit ? " " + esc(result.unit) : "") + "</td>";
    }
    function resultsTable(outcome) {
      return '<table class="ag-calc__table"><caption>Results for your figures</caption><tbody>' +
        config.results.map(function (result) {
          return '<tr data-result="' + esc(result.id) + '"><th scope="row">' + esc(result.label) + "</th>" +
            cell(result, outcome.results[result.id], outcome.why[result.id]) + "</tr>";
        }).join("") + "</tbody></table>";
    }
    function yearTable(outcome) {
      var caption = "Costs by year";
      var head = '<tr><th scope="col">Year</th>' + config.results.map(function (result) {
        return '<th scope="col">' + esc(result.label) + "</th>";
      }).join("") + "</tr>";
      var rows = outcome.rows.map(function (row) {
        return '<tr data-year="' + row.year + '"><th scope="row">' + row.year + "</th>" +
          config.results.map(function (result) { return cell(result, row[result.id]); }).join("") + "</tr>";
      });
      rows.push('<tr class="ag-calc__total" data-year="total"><th scope="row">Total</th>' +
        config.results.map(function (result) { return cell(result, outcome.results[result.id]); }).join("") + "</tr>");
      return '<div class="ag-calc__scroll" tabindex="0" role="region" aria-label="Table: ' + caption + '">' +
        '<table class="ag-calc__table ag-calc__table--years"><caption>' + caption + "</caption><thead>" + head +
        "</thead><tbody>" + rows.join("") + "</tbody></table></div>";
    }
    function summary(outcome) {
      return calc.summary.map(function (id) {
        var result = config.results.filter(function (r) { return r.id === id; })[0];
        if (!result) return "";
        var value = outcome.results[id];
        var shown = typeof value === "number" && isFinite(value) ?
          format(value, result.decimals) + (result.unit ? " " + result.unit : "") : "not defined";
        return result.label + ": " + shown;
      }).filter(Boolean).join("; ") + ".";
    }
    function render(outcome) {
      var remarks = outcome.remarks.map(function (text) {
        return '<p class="ag-calc__remark">' + esc(text) + "</p>";
      }).join("");
      output.innerHTML = remarks + (outcome.rows ? yearTable(outcome) : resultsTable(outcome));
    }

    // --- The whole cycle: read, check, work out, show, keep ------------------------------
    function update(prefix, keep) {
      var picked = chosen();
      showActive(picked);
      var values = {}, errors = [];
      config.choices.forEach(function (choice) { values[choice.id] = picked[choice.id]; });
      config.inputs.forEach(function (spec) {
        values[spec.id] = 0;
        if (!isActive(spec, picked)) { markField(spec, ""); return; }
        var parsed = parse(spec, fields[spec.id].value);
        markField(spec, parsed.error);
        if (parsed.error) errors.push(parsed.error);
        else values[spec.id] = parsed.value;
      });
      var texts = readTexts();
      shareField.value = link(texts);
      lastOutcome = null;
      if (errors.length) {
        output.innerHTML = '<p class="ag-calc__waiting">The results appear once every field holds an acceptable value.</p>';
        live.textContent = (prefix ? prefix + " " : "") + (errors.length === 1 ? "One field needs" :
          errors.length + " fields need") + " attention: " + errors[0];
        return;
      }
      var outcome = calc.compute(values, config);
      lastOutcome = outcome;
      render(outcome);
      live.textContent = (prefix ? prefix + " " : "") + summary(outcome);
      if (keep !== false) {
        save(texts);
        setHash(texts);
      }
    }

    // --- Notices -------------------------------------------------------------------------
    function showNotice(lines) {
      notice.innerHTML = lines.map(function (line) { return "<p>" + esc(line) + "</p>"; }).join("");
      notice.hidden = !lines.length;
    }
    function listed(names) {
      var shown = names.slice(0, 10).map(function (name) { return "\u201c" + String(name).slice(0, 30) + "\u201d"; });
      return shown.join(", ") + (names.length > 10 ? " and " + (names.length - 10) + " more" : "");
    }
    // Keep the acceptable entries of {id: value}; return {texts, bad}.
    function sanitize(entries) {
      var texts = {}, bad = [];
      Object.keys(entries).forEach(function (id) {
        var value = entries[id];
        if (own(choiceById, id) && isOption(choiceById[id], value)) texts[id] = value;
        else if (own(inputById, id) && typeof value === "string" && !parse(inputById[id], value).error) {
          texts[id] = value.trim();
        } else bad.push(id);
      });
      return { texts: texts, bad: bad };
    }

    // --- Saved figures -------------------------------------------------------------------
    var storageWarned = false;
    function save(texts) {
      try {
        localStorage.setItem(config.storageKey, JSON.stringify({
          schema: 1, version: config.version, saved: new Date().toISOString(), values: texts,
        }));
      } catch (e) {
        if (!storageWarned) {
          storageWarned = true;
          showNotice(["Your figures cannot be kept in this browser (its storage is blocked or full); " +
            "use the link to keep them."]);
        }
      }
    }
    function forget() {
      try { localStorage.removeItem(config.storageKey); } catch (e) { /* storage blocked: nothing stored */ }
    }
    function loadSaved() {
      var text = null;
      try { text = localStorage.getItem(config.storageKey); } catch (e) { return null; }
      if (text === null) return null;
      var raw = null;
      try { raw = JSON.parse(text); } catch (e) { raw = null; }
      var values = raw && typeof raw === "object" && !Array.isArray(raw) && own(raw, "values") ? raw.values : null;
      if (!values || typeof values !== "object" || Array.isArray(values)) {
        forget();
        showNotice(["The figures saved in this browser could not be read and were discarded."]);
        return null;
      }
      var result = sanitize(values);
      if (result.bad.length) {
        showNotice([(result.bad.length === 1 ? "One saved figure" : result.bad.length + " saved figures") +
          " could not be used and " + (result.bad.length === 1 ? "was" : "were") + " discarded: " +
          listed(result.bad) + ". The starting value is used instead."]);
      }
      return result.texts;
    }

    // --- Links ---------------------------------------------------------------------------
    function params(texts) {
      return Object.keys(texts).map(function (id) { return id + "=" + encodeURIComponent(texts[id]); }).join("&");
    }
    function link(texts) { return location.href.split("#")[0] + "#" + params(texts); }
    function setHash(texts) {
      try { history.replaceState(history.state, "", "#" + params(texts)); } catch (e) { /* keep the address */ }
    }
    function parseLink(hash) {
      var body = hash.replace(/^#/, "");
      if (body.indexOf("=") === -1) return null; // an ordinary anchor
      var entries = {}, bad = [];
      body.split("&").forEach(function (part) {
        if (!part) return;
        var at = part.indexOf("=");
        var key = decode(at === -1 ? part : part.slice(0, at));
        var value = at === -1 ? null : decode(part.slice(at + 1));
        if (key === null || value === null || own(entries, key)) bad.push(key === null ? part : key);
        else entries[key] = value;
      });
      var result = sanitize(entries);
      return { texts: result.texts, bad: bad.concat(result.bad) };
    }
    function applyLink() {
      var found = parseLink(location.hash);
      if (!found) return false;
      writeTexts(found.texts);
      showNotice(found.bad.length ? [(found.bad.length === 1 ? "One part" : found.bad.length + " parts") +
        " of the link could not be used and " + (found.bad.length === 1 ? "was" : "were") + " ignored: " +
        listed(found.bad) + ". The starting value is used instead."] : []);
      update("Figures taken from the link.");
      return true;
    }

    // --- Actions -------------------------------------------------------------------------
    function copyLink() {
      var url = shareField.value;
      function done() { live.textContent = "The link was copied to the clipboard."; }
      function fallback() {
        shareField.focus();
        shareField.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        live.textContent = copied ? "The link was copied to the clipboard." : "Copy the link from the field below.";
      }
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, fallback);
      else fallback();
    }
    function reset() {
      forget();
      writeTexts({});
      showNotice([]);
      try { history.replaceState(history.state, "", location.href.split("#")[0]); } catch (e) { /* keep it */ }
      update("Back to the starting values.", false);
    }
    function csvField(value) {
      var text = String(value);
      if (/^[=+\-@\t\r]/.test(text) && isNaN(Number(text))) text = "'" + text;
      return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    function exportCsv() {
      if (!lastOutcome || !lastOutcome.rows) {
        live.textContent = "Correct the marked fields first; there is no table to download yet.";
        return;
      }
      var header = ["Year"].concat(config.results.map(function (result) { return result.label; }));
      var lines = [header.map(csvField).join(",")];
      lastOutcome.rows.forEach(function (row) {
        lines.push([row.year].concat(config.results.map(function (result) {
          return csvNumber(row[result.id]);
        })).map(csvField).join(","));
      });
      lines.push(["Total"].concat(config.results.map(function (result) {
        return csvNumber(lastOutcome.results[result.id]);
      })).map(csvField).join(","));
      var name = config.storageKey.replace(/[^A-Za-z0-9-]+/g, "-") + "-" + today() + ".csv";
      var url = URL.createObjectURL(new Blob(["\uFEFF" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }));
      var anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = name;
      anchor.hidden = true;
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
      live.textContent = "Downloaded " + name + ".";
    }
    var actions = { share: copyLink, reset: reset, csv: exportCsv };

    // --- Wiring --------------------------------------------------------------------------
    form.addEventListener("input", function (event) { if (event.target.type !== "radio") update(""); });
    form.addEventListener("change", function (event) { if (event.target.type === "radio") update(""); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    results.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-action]") : null;
      var name = button ? button.getAttribute("data-action") : "";
      if (own(actions, name)) actions[name]();
    });
    results.hidden = false;
    running[config.id] = { applyLink: applyLink };

    if (!applyLink()) {
      var saved = loadSaved();
      writeTexts(saved || {});
      var anchor = location.hash && location.hash !== "#";
      update(saved && Object.keys(saved).length ? "Your saved figures were restored." : "", !anchor && !!saved);
    }
  }

  function start(id) {
    var calc = registry[id];
    var form = document.getElementById("calc-" + id + "-form");
    var data = document.getElementById("calc-" + id + "-data");
    if (!calc || !form || !data || form.getAttribute("data-ag-ready")) return;
    form.setAttribute("data-ag-ready", "");
    var config = null;
    try { config = JSON.parse(data.textContent); } catch (e) { config = null; }
    var usable = config && config.id === id && typeof config.storageKey === "string" &&
      ["inputs", "choices", "results"].every(function (key) { return Array.isArray(config[key]); }) &&
      config.inputs.every(function (spec) { return document.getElementById("calc-" + id + "-" + spec.id); }) &&
      config.choices.every(function (choice) { return document.getElementById("calc-" + id + "-" + choice.id); }) &&
      ["results", "live", "output", "notice", "share"].every(function (suffix) {
        return document.getElementById("calc-" + id + "-" + suffix);
      });
    if (!usable) return;
    setUp(form.closest(".ag-calc") || form, config, calc);
  }

  window.agCalc = {
    // calc: {compute(values, config) -> {results, why, remarks, rows?}, summary: [result ids for the live region]}
    register: function (id, calc) {
      registry[id] = calc;
      function go() { setTimeout(function () { start(id); }, 0); }
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
      else go();
    },
    format: format,
  };
  window.addEventListener("hashchange", function () {
    Object.keys(running).forEach(function (id) { running[id].applyLink(); });
  });
})();
