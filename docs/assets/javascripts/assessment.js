// Readiness self-assessment: scores, saved answers, share links and exports.
// Plain JavaScript, no requests, no cookies. Everything it knows about items, answers,
// weights, bands and rules comes from the page's <script id="ag-assessment-data"> JSON.
// Without this script the page stays a readable, printable checklist.
//
// Share-link format (version 1), in the URL fragment, which browsers never send to a server:
//   #f=1&v=<guide version>&a=<item>.<answer>,<item>.<answer>,...&n=<item>.<note>,...
// where <item> is a checklist item id (CL-01), <answer> an answer id from the data (yes,
// partly, ...) and <note> the note passed through encodeURIComponent (so "," "&" "#" "%" are
// escaped; ids never hold "."). Only a fragment with an "a" or "n" key is read as a share link;
// "f" missing means version 1. Entries that cannot be restored are skipped and reported.
//
// Saved state: localStorage[storageKey] = {"schema":1,"version":"<guide version>",
//   "saved":"<ISO time>","answers":{"CL-01":"yes"},"notes":{"CL-01":"text"}}.
(function () {
  "use strict";

  var FORMAT = 1;
  var page = null; // the current page's state (there is one assessment per page)

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key);
  }
  function pct(score) {
    // Whole percent rounded down, so a shown score never crosses a band's threshold.
    return Math.floor(score + 1e-9) + "%";
  }
  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }
  function today() {
    var d = new Date();
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()]
      .map(function (n) { return (n < 10 ? "0" : "") + n; })
      .join("-");
  }
  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return null; }
  }

  function setUp(form, config) {
    var items = config.items;
    var itemById = {};
    var answerById = {};
    items.forEach(function (item) { itemById[item.id] = item; });
    config.answers.forEach(function (answer) { answerById[answer.id] = answer; });
    var bands = config.bands.slice().sort(function (a, b) { return b.min - a.min; }); // best first
    var bandById = {};
    bands.forEach(function (band, rank) { bandById[band.id] = { band: band, rank: rank }; });
    var bestMin = bands.length ? bands[0].min : 100;
    var $ = function (id) { return document.getElementById(id); };
    var results = $("ag-results");
    var live = $("ag-live");
    var notice = $("ag-notice");
    var shareField = $("ag-share-url");
    var noticeLines = [];

    function weight(item) { return Number(config.weights[item.tier]) || 0; }
    // The form's radio buttons and note fields by item id, collected in one pass over its controls.
    var radiosOf = {}, notesOf = {};
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.type === "radio") {
        (radiosOf[control.name] = radiosOf[control.name] || []).push(control);
      } else if (control.tagName === "TEXTAREA" && control.name.indexOf("note-") === 0) {
        notesOf[control.name.slice(5)] = control;
      }
    });
    function radios(id) { return own(radiosOf, id) ? radiosOf[id] : []; }
    function noteField(id) { return own(notesOf, id) ? notesOf[id] : null; }

    // --- Reading and writing the form ------------------------------------------------
    function readForm() {
      var state = { answers: {}, notes: {} };
      items.forEach(function (item) {
        radios(item.id).forEach(function (radio) {
          if (radio.checked && answerById[radio.value]) state.answers[item.id] = radio.value;
        });
        var note = noteField(item.id);
        if (note && note.value.trim()) state.notes[item.id] = note.value;
      });
      return state;
    }
    // Note fields grow with their text. Browsers that know `field-sizing: content` (guide.css) do it
    // themselves; elsewhere each field is set to its text's height, all heights read before any is written,
    // so that fitting many fields costs one layout.
    var sizedByCss = !!(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));
    function fit(textareas) {
      if (sizedByCss || !textareas.length) return;
      textareas.forEach(function (textarea) { textarea.style.height = ""; });
      var heights = textareas.map(function (textarea) {
        return textarea.scrollHeight > textarea.clientHeight ? textarea.scrollHeight + 4 : 0;
      });
      textareas.forEach(function (textarea, index) {
        if (heights[index]) textarea.style.height = heights[index] + "px";
      });
    }
    function writeForm(state) {
      form.reset();
      var grown = [];
      items.forEach(function (item) {
        var answer = state.answers[item.id];
        radios(item.id).forEach(function (radio) { radio.checked = radio.value === answer; });
        var note = noteField(item.id);
        if (note) {
          note.value = state.notes[item.id] || "";
          if (note.value || note.style.height) grown.push(note);
        }
      });
      fit(grown);
    }

    // --- Scoring (the rule published on the page) -------------------------------------
    function score(group, answers) {
      var earned = 0, possible = 0, answered = 0, unmet = [], blockedBy = [];
      group.forEach(function (item) {
        var answer = answerById[answers[item.id]];
        if (!answer) return;
        answered += 1;
        config.blocking.forEach(function (rule) {
          if (rule.tier === item.tier && rule.answers.indexOf(answer.id) !== -1 && bandById[rule.band]) {
            blockedBy.push({ rule: rule, item: item, answer: answer });
          }
        });
        if (!answer.counts) return;
        var w = weight(item);
        earned += w * answer.score;
        possible += w;
        if (answer.score < 1) unmet.push({ item: item, answer: answer, shortfall: w * (1 - answer.score) });
      });
      var value = possible > 0 ? (earned * 100) / possible : null;
      var band = null;
      if (value !== null) {
        band = bands.filter(function (b) { return value + 1e-9 >= b.min; })[0] || bands[bands.length - 1];
      }
      blockedBy.forEach(function (hit) {
        var cap = bandById[hit.rule.band];
        if (!band || cap.rank > bandById[band.id].rank) band = cap.band;
      });
      return {
        value: value, band: band, earned: earned, possible: possible, answered: answered,
        total: group.length, unmet: unmet, blockedBy: blockedBy,
      };
    }
    function groupBy(key, ids) {
      return ids.map(function (id) {
        return { id: id, items: items.filter(function (item) { return item[key] === id; }) };
      }).filter(function (group) { return group.items.length; });
    }
    var themeGroups = groupBy("theme", Object.keys(config.themes));
    var phaseGroups = groupBy("phase", Object.keys(config.phases).sort(function (a, b) {
      return config.phases[a].order - config.phases[b].order;
    }));

    // --- Rendering ------------------------------------------------------------------------
    function resultText(result) {
      return result.band ? result.band.label : result.answered ? "No score (nothing that counts)" : "Not assessed yet";
    }
    function scoreCell(result) {
      if (result.value === null) return "—";
      return pct(result.value) + ' <span class="ag-bar" aria-hidden="true"><span style="width:' +
        Math.floor(result.value) + '%"></span></span>';
    }
    function table(caption, heading, groups, meta, answers) {
      var rows = groups.map(function (group) {
        var result = score(group.items, answers);
        var info = meta[group.id];
        var name = (info.order ? "Step " + info.order + ": " : "") + info.title;
        return "<tr><th scope=\"row\"><a href=\"" + esc(info.url) + "\">" + esc(name) + "</a></th><td>" +
          scoreCell(result) + "</td><td>" + result.answered + " of " + result.total + "</td><td>" +
          esc(resultText(result)) + "</td></tr>";
      });
      // The page shows a heading above each table, so its caption is for screen readers only.
      return '<table class="ag-score-table"><caption class="ag-sr-only">' + esc(caption) +
        '</caption><thead><tr><th scope="col">' +
        esc(heading) + '</th><th scope="col">Score</th><th scope="col">Answered</th><th scope="col">Result</th>' +
        "</tr></thead><tbody>" + rows.join("") + "</tbody></table>";
    }
    function capsText(result) {
      var byRule = {};
      result.blockedBy.forEach(function (hit) {
        (byRule[hit.rule.id] = byRule[hit.rule.id] || { rule: hit.rule, ids: [] }).ids.push(hit.item.id);
      });
      return Object.keys(byRule).map(function (id) {
        var entry = byRule[id];
        return '<p class="ag-cap"><strong>Capped at ' + esc(bandById[entry.rule.band].band.label) + ":</strong> " +
          esc(entry.rule.text) + " Items: " + esc(entry.ids.join(", ")) + ".</p>";
      }).join("");
    }
    function weakAreas(answers) {
      var weak = themeGroups.map(function (group) {
        var result = score(group.items, answers);
        var essential = result.unmet.some(function (u) { return u.item.tier === "essential"; });
        return { id: group.id, result: result, essential: essential };
      }).filter(function (entry) {
        return entry.result.value !== null && (entry.result.value + 1e-9 < bestMin || entry.result.blockedBy.length);
      });
      weak.sort(function (a, b) {
        return (b.essential - a.essential) ||
          (b.result.possible - b.result.earned) - (a.result.possible - a.result.earned) ||
          a.result.value - b.result.value;
      });
      if (!weak.length) {
        return "<p>" + (Object.keys(answers).length ? "No weak areas: every theme you answered scores at least " +
          bestMin + "%." : "Answer some questions to see your weak areas.") + "</p>";
      }
      return "<ol class=\"ag-weak-list\">" + weak.map(function (entry) {
        var theme = config.themes[entry.id];
        var unmet = entry.result.unmet.slice().sort(function (a, b) {
          return ((b.item.tier === "essential") - (a.item.tier === "essential")) || b.shortfall - a.shortfall;
        });
        return "<li><a href=\"" + esc(theme.url) + "\"><strong>" + esc(theme.title) + "</strong></a> — " +
          pct(entry.result.value) + ", " + entry.result.answered + " of " + entry.result.total + " answered" +
          "<ul>" + unmet.map(function (u) {
            return "<li><strong>" + esc(u.item.id) + "</strong> (" + esc(u.item.tier) + ", your answer: " +
              esc(u.answer.label) + ") " + esc(u.item.question) + (u.item.actions.length ? "<ul>" +
              u.item.actions.map(function (act) {
                return "<li><a href=\"" + esc(act.url) + "\">" + esc(act.title) + "</a> (" + esc(act.finding) +
                  "): " + esc(act.action) + "</li>";
              }).join("") + "</ul>" : "") + "</li>";
          }).join("") + "</ul></li>";
      }).join("") + "</ol>";
    }
    function summary(result) {
      var answered = result.answered + " of " + result.total + " items answered";
      if (!result.band) return "Not assessed yet. " + answered + ".";
      return "Overall " + (result.value === null ? "no score" : pct(result.value)) + ": " + result.band.label +
        ". " + answered + ".";
    }
    function render(state, prefix) {
      var answers = state.answers;
      var overall = score(items, answers);
      $("ag-overall").innerHTML =
        '<table class="ag-score-table ag-overall-table"><caption>Overall result</caption><tbody>' +
        '<tr><th scope="row">Score</th><td>' + scoreCell(overall) + "</td></tr>" +
        '<tr><th scope="row">Result</th><td><strong>' + esc(resultText(overall)) + "</strong></td></tr>" +
        '<tr><th scope="row">Items answered</th><td>' + overall.answered + " of " + overall.total + "</td></tr>" +
        "</tbody></table>" + (overall.band ? "<p>" + esc(overall.band.text) + "</p>" : "") + capsText(overall);
      $("ag-by-theme").innerHTML = table("Scores by theme", "Theme", themeGroups, config.themes, answers);
      $("ag-by-phase").innerHTML = table("Scores by step", "Step", phaseGroups, config.phases, answers);
      $("ag-weak").innerHTML = weakAreas(answers);
      live.textContent = (prefix ? prefix + " " : "") + summary(overall);
      shareField.value = shareLink(state);
    }

    // --- Notices --------------------------------------------------------------------------
    function showNotice(lines) {
      noticeLines = noticeLines.concat(lines);
      notice.innerHTML = noticeLines.map(function (line) { return "<p>" + esc(line) + "</p>"; }).join("");
      notice.hidden = !noticeLines.length;
    }
    function clearNotice() {
      noticeLines = [];
      notice.textContent = "";
      notice.hidden = true;
    }
    // Retired items are named as such, with their replacement when the data gives one.
    function listed(bad) {
      var retired = config.retired || {};
      var shown = bad.slice(0, 10).map(function (entry) {
        var why = own(retired, entry) ? " (retired" + (retired[entry] ? "; replaced by " + retired[entry] : "") + ")" : "";
        return "“" + entry + "”" + why;
      }).join(", ");
      return shown + (bad.length > 10 ? " and " + (bad.length - 10) + " more" : "");
    }

    // --- Saved state --------------------------------------------------------------------
    var storageWarned = false;
    function save(state) {
      try {
        if (!Object.keys(state.answers).length && !Object.keys(state.notes).length) {
          localStorage.removeItem(config.storageKey);
          return;
        }
        localStorage.setItem(config.storageKey, JSON.stringify({
          schema: 1, version: config.guide.version, saved: new Date().toISOString(),
          answers: state.answers, notes: state.notes,
        }));
      } catch (e) {
        if (!storageWarned) {
          storageWarned = true;
          showNotice(["Your answers cannot be saved in this browser (its storage is blocked or full). " +
            "Use the share link or an export to keep them."]);
        }
      }
    }
    // Keep what is valid from raw {answers, notes}; collect what is not.
    function sanitize(raw) {
      var state = { answers: {}, notes: {} }, bad = [];
      var answers = own(raw, "answers") && typeof raw.answers === "object" && raw.answers ? raw.answers : {};
      var notes = own(raw, "notes") && typeof raw.notes === "object" && raw.notes ? raw.notes : {};
      Object.keys(answers).forEach(function (id) {
        if (own(itemById, id) && typeof answers[id] === "string" && own(answerById, answers[id])) {
          state.answers[id] = answers[id];
        } else bad.push(id);
      });
      Object.keys(notes).forEach(function (id) {
        if (own(itemById, id) && typeof notes[id] === "string") state.notes[id] = notes[id];
        else bad.push(id);
      });
      return { state: state, bad: bad };
    }
    function loadSaved() {
      var text;
      try { text = localStorage.getItem(config.storageKey); } catch (e) { return null; }
      if (text === null) return null;
      var raw = null;
      try { raw = JSON.parse(text); } catch (e) { raw = null; }
      if (!raw || typeof raw !== "object" || Array.isArray(raw) || typeof raw.answers !== "object") {
        try { localStorage.removeItem(config.storageKey); } catch (e) { /* storage blocked: nothing to remove */ }
        showNotice(["The answers saved in this browser could not be read and were discarded."]);
        return null;
      }
      var result = sanitize(raw);
      var lines = [];
      if (raw.version !== config.guide.version) {
        lines.push("Your saved answers were made with version " + String(raw.version) + " of the guide; this is " +
          "version " + config.guide.version + ". Check them, as questions may have changed.");
      }
      if (result.bad.length) {
        lines.push(plural(result.bad.length, "saved entry", "saved entries") + " could not be restored and " +
          (result.bad.length === 1 ? "was" : "were") + " ignored: " + listed(result.bad) + ".");
      }
      if (lines.length) showNotice(lines);
      return result.state;
    }

    // --- Share links ----------------------------------------------------------------------
    function shareLink(state) {
      var answers = Object.keys(state.answers).map(function (id) { return id + "." + state.answers[id]; });
      var notes = Object.keys(state.notes).map(function (id) {
        return id + "." + encodeURIComponent(state.notes[id]);
      });
      return location.href.split("#")[0] + "#f=" + FORMAT + "&v=" + encodeURIComponent(config.guide.version) +
        "&a=" + answers.join(",") + (notes.length ? "&n=" + notes.join(",") : "");
    }
    function parseLink(hash) {
      var params = {};
      hash.replace(/^#/, "").split("&").forEach(function (part) {
        var at = part.indexOf("=");
        if (at > 0) params[part.slice(0, at)] = part.slice(at + 1);
      });
      if (!own(params, "a") && !own(params, "n")) return null; // an ordinary anchor, not a share link
      var state = { answers: {}, notes: {} }, bad = [], lines = [];
      function entries(value, take) {
        (value || "").split(",").forEach(function (entry) {
          if (!entry) return;
          var dot = entry.indexOf(".");
          var id = decode(dot === -1 ? entry : entry.slice(0, dot));
          var rest = dot === -1 ? null : decode(entry.slice(dot + 1));
          if (id !== null && own(itemById, id) && rest !== null && take(id, rest)) return;
          bad.push(id === null || !id ? entry.slice(0, 30) : id.slice(0, 30));
        });
      }
      entries(params.a, function (id, answer) {
        if (!own(answerById, answer)) return false;
        state.answers[id] = answer;
        return true;
      });
      entries(params.n, function (id, note) {
        state.notes[id] = note;
        return true;
      });
      var format = Number(params.f || FORMAT);
      if (format !== FORMAT) lines.push("This share link was made by a different version of this page (format " +
        String(decode(params.f)) + "); what could be read was restored.");
      var version = params.v === undefined ? null : decode(params.v);
      if (version && version !== config.guide.version) {
        lines.push("This share link was made with version " + version + " of the guide; this is version " +
          config.guide.version + ". Check the answers, as questions may have changed.");
      }
      if (bad.length) {
        lines.push(plural(bad.length, "entry", "entries") + " in the share link could not be restored and " +
          (bad.length === 1 ? "was" : "were") + " ignored: " + listed(bad) + ". " +
          plural(Object.keys(state.answers).length, "answer was", "answers were") + " restored.");
      }
      return { state: state, lines: lines };
    }
    function stripHash() {
      try { history.replaceState(history.state, "", location.href.split("#")[0]); } catch (e) { /* keep the URL */ }
    }
    function applyLink() {
      var link = parseLink(location.hash);
      if (!link) return false;
      clearNotice();
      writeForm(link.state);
      save(link.state);
      stripHash();
      if (link.lines.length) showNotice(link.lines);
      render(link.state, "Answers restored from the share link.");
      return true;
    }

    // --- Actions --------------------------------------------------------------------------
    function rows() {
      var state = readForm(), date = today();
      return items.map(function (item) {
        var answer = answerById[state.answers[item.id]];
        return {
          item: item.id, question: item.question,
          theme: (config.themes[item.theme] || {}).title || item.theme,
          phase: (config.phases[item.phase] || {}).title || item.phase,
          tier: item.tier, answer: answer ? answer.label : "",
          score: answer && answer.counts ? answer.score : null,
          note: state.notes[item.id] || "", guide_version: config.guide.version, date: date,
        };
      });
    }
    function download(text, type, extension) {
      var name = config.storageKey.replace(/[^A-Za-z0-9-]+/g, "-") + "-" + today() + "." + extension;
      var url = URL.createObjectURL(new Blob([text], { type: type }));
      var link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
      live.textContent = "Downloaded " + name + ".";
    }
    function csvField(value) {
      var text = value === null ? "" : String(value);
      return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    function exportCsv() {
      var data = rows();
      var columns = Object.keys(data[0] || {});
      var lines = [columns.join(",")].concat(data.map(function (row) {
        return columns.map(function (column) {
          var value = row[column];
          // A note starting with = + - @ would run as a formula in a spreadsheet: prefix it with '.
          if (column === "note" && /^[=+\-@\t\r]/.test(value)) value = "'" + value;
          return csvField(value);
        }).join(",");
      }));
      download("\uFEFF" + lines.join("\r\n") + "\r\n", "text/csv;charset=utf-8", "csv");
    }
    function exportJson() {
      var overall = score(items, readForm().answers);
      download(JSON.stringify({
        guide: config.guide, date: today(), format: "readiness-assessment-export", schema: 1,
        result: {
          score: overall.value, band: overall.band ? overall.band.label : null,
          answered: overall.answered, total: overall.total,
        },
        items: rows(),
      }, null, 2) + "\n", "application/json", "json");
    }
    function copyLink() {
      var url = shareLink(readForm());
      shareField.value = url;
      function done() { live.textContent = "Share link copied to the clipboard."; }
      function fallback() {
        shareField.focus();
        shareField.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        live.textContent = copied ? "Share link copied to the clipboard." :
          "Copy the share link from the field below the buttons.";
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, fallback);
      } else fallback();
    }
    function clearAll() {
      try { localStorage.removeItem(config.storageKey); } catch (e) { /* storage blocked: nothing stored */ }
      writeForm({ answers: {}, notes: {} });
      clearNotice();
      stripHash();
      render({ answers: {}, notes: {} }, "Your answers were cleared.");
    }
    var actions = {
      share: copyLink, csv: exportCsv, json: exportJson, clear: clearAll,
      print: function () { window.print(); },
    };

    // --- Wiring ---------------------------------------------------------------------------
    function changed(event) {
      var state = readForm();
      save(state);
      if (event.target.tagName === "TEXTAREA") {
        fit([event.target]);
        shareField.value = shareLink(state);
      } else render(state);
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", function (event) { if (event.target.tagName === "TEXTAREA") changed(event); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    results.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-action]") : null;
      if (button && own(actions, button.getAttribute("data-action"))) actions[button.getAttribute("data-action")]();
    });
    results.hidden = false;
    page = { applyLink: applyLink };

    if (!applyLink()) {
      var saved = loadSaved();
      var state = saved || { answers: {}, notes: {} };
      writeForm(state);
      render(state, saved && Object.keys(saved.answers).length ? "Your saved answers were restored." : "");
    }
  }

  function init() {
    var data = document.getElementById("ag-assessment-data");
    var form = document.getElementById("ag-assessment-form");
    if (!data || !form || form.getAttribute("data-ag-ready")) return;
    var parts = ["ag-results", "ag-live", "ag-notice", "ag-overall", "ag-by-theme", "ag-by-phase", "ag-weak",
      "ag-share-url"];
    if (parts.some(function (id) { return !document.getElementById(id); })) return;
    form.setAttribute("data-ag-ready", "");
    var config;
    try {
      config = JSON.parse(data.textContent);
    } catch (e) {
      config = null;
    }
    var notice = document.getElementById("ag-notice");
    var usable = config && config.guide && config.weights && config.themes && config.phases &&
      ["items", "answers", "bands", "blocking"].every(function (key) { return Array.isArray(config[key]); });
    if (!usable) {
      if (notice) {
        notice.textContent = "The self-assessment could not start. The questions still work as a printable checklist.";
        notice.hidden = false;
      }
      return;
    }
    setUp(form, config);
  }

  window.addEventListener("hashchange", function () {
    if (page && document.getElementById("ag-assessment-form")) page.applyLink();
  });
  // The form starts in a task of its own, after the page is ready, instead of inside the long task in which
  // Material sets up its components: two shorter tasks keep the page responsive while it loads.
  function start() { setTimeout(init, 0); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
