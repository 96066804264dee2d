// Readiness self-assessment: scope, scores, progress, saved answers, share links, exports and comparisons.
// Plain JavaScript, no requests, no cookies. Everything it knows about items, answers, weights, bands,
// rules, steps and limits comes from the page's <script id="ag-assessment-data"> JSON.
// Without this script the page stays a readable, printable checklist.
//
// Share-link format (version 2), in the URL fragment, which browsers never send to a server:
//   #a=<item>.<answer>,...&n=<item>.<note>,...&s=<step>&l=1&v=<guide version>&f=2
// <item> is a checklist item id (CL-01), <answer> an answer id from the data (yes, partly, ...), <note> the
// note through encodeURIComponent (ids never hold "." or ","), <step> the step id the reader is at, l=1 when
// later steps are opened. A fragment is a share link only if it has an "a" or "n" key: "=" never occurs in an
// element id, so it cannot be mistaken for an anchor. Version 1 links (#f=1&v=..&a=..&n=..) are still read;
// without "s" the step is the latest one answered. The script takes the link out of the address before the
// page's other scripts read the fragment as an element id.
//
// Saved state: localStorage[storageKey] = {"schema":2,"version":"<guide version>","saved":"<ISO time>",
//   "step":"<step id>","later":false,"answers":{"CL-01":"yes"},"notes":{"CL-01":"text"}}.
// Every saved, shared or loaded value is checked field by field; what is left out is named in a notice.
(function () {
  "use strict";

  var FORMAT = 2;
  var EXPORT_FORMAT = "readiness-assessment-export";
  var ANNOUNCE_AFTER = 800; // ms without a new answer before the result is read out
  var page = null; // the current page's assessment, once set up
  var pendingHash = null; // a share link taken out of the address before the assessment was set up

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key);
  }
  function field(obj, key) { return own(obj, key) ? obj[key] : undefined; }
  function isRecord(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function kind(value) {
    return value === null ? "empty" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a record" :
      typeof value === "string" ? "text" : "a " + typeof value;
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
  // The key=value pairs of a share link's fragment, or null for an ordinary anchor.
  function shareParams(hash) {
    if (typeof hash !== "string" || hash.indexOf("=") === -1) return null;
    var params = Object.create(null);
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) params[part.slice(0, at)] = part.slice(at + 1);
    });
    return "a" in params || "n" in params ? params : null;
  }
  function stripHash() {
    try { history.replaceState(history.state, "", location.href.split("#")[0]); } catch (e) { /* keep the URL */ }
  }

  function setUp(form, config, root) {
    var items = config.items;
    var itemById = Object.create(null), answerById = Object.create(null), answerByLabel = Object.create(null);
    items.forEach(function (item) { itemById[item.id] = item; });
    config.answers.forEach(function (answer) {
      answerById[answer.id] = answer;
      answerByLabel[answer.label] = answer;
    });
    var phaseIds = Object.keys(config.phases).sort(function (a, b) {
      return config.phases[a].order - config.phases[b].order;
    });
    function order(phaseId) { return config.phases[phaseId].order; }
    var bands = config.bands.slice().sort(function (a, b) { return b.min - a.min; }); // best first
    var bandById = {};
    bands.forEach(function (band, rank) { bandById[band.id] = { band: band, rank: rank }; });
    var lowest = bands.length - 1;
    var bestMin = bands.length ? bands[0].min : 100;
    var minimum = config.minAnswered, limits = config.limits;
    var $ = function (id) { return document.getElementById(id); };
    var live = $("ag-live"), notice = $("ag-notice"), shareField = $("ag-share-url");
    var stepSelect = $("ag-step"), laterBox = $("ag-later");
    var noticeLines = [], earlier = null, announceTimer = null;

    function weight(item) { return Number(config.weights[item.tier]) || 0; }
    function blank() { return { answers: {}, notes: {}, step: phaseIds[0], later: false }; }
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
    var stepSets = form.querySelectorAll("fieldset.ag-phase");

    // --- Scope: the chosen step and those before it, or every step when later steps are opened -------------
    function inScope(item, state) { return state.later || order(item.phase) <= order(state.step); }
    function stepRange(state) {
      var last = state.later ? phaseIds[phaseIds.length - 1] : state.step;
      var first = order(phaseIds[0]), end = order(last);
      return first === end ? "step " + end : "steps " + first + " to " + end;
    }

    // --- Reading and writing the form ------------------------------------------------
    function readForm() {
      var state = { answers: {}, notes: {}, step: stepSelect.value, later: laterBox.checked };
      if (!own(config.phases, state.step)) state.step = phaseIds[0];
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
    // themselves; elsewhere each field is set to its text's height, all heights read before any is written.
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
    function showScope(state) {
      Array.prototype.forEach.call(stepSets, function (set) {
        var id = set.getAttribute("data-phase");
        set.hidden = own(config.phases, id) && !state.later && order(id) > order(state.step);
      });
    }
    function writeForm(state) {
      form.reset();
      var grown = [];
      stepSelect.value = state.step;
      laterBox.checked = state.later;
      showScope(state);
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
    function needed(n) {
      return Math.min(n, Math.max(minimum.atLeast, Math.ceil(minimum.share * n - 1e-9)));
    }
    function score(group, state) {
      var earned = 0, possible = 0, answered = 0, n = 0, unmet = [], blockedBy = [];
      group.forEach(function (item) {
        if (!inScope(item, state)) return;
        n += 1;
        var answer = answerById[state.answers[item.id]];
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
      var more = Math.max(0, needed(n) - answered);
      var enough = n > 0 && !more;
      var value = enough && possible > 0 ? (earned * 100) / possible : null;
      var band = null;
      if (value !== null) {
        band = bands.filter(function (b) { return value + 1e-9 >= b.min; })[0] || bands[lowest];
      }
      blockedBy.forEach(function (hit) {
        var cap = bandById[hit.rule.band];
        // Before a score is possible, only a rule that caps at the lowest band decides the result.
        if (band ? cap.rank > bandById[band.id].rank : cap.rank === lowest) band = cap.band;
      });
      return {
        value: value, band: band, earned: earned, possible: possible, answered: answered, n: n, more: more,
        enough: enough, unmet: unmet, blockedBy: blockedBy,
      };
    }
    function groupBy(key, ids) {
      return ids.map(function (id) {
        return { id: id, items: items.filter(function (item) { return item[key] === id; }) };
      }).filter(function (group) { return group.items.length; });
    }
    var themeGroups = groupBy("theme", Object.keys(config.themes));
    var phaseGroups = groupBy("phase", phaseIds);

    // --- Rendering ------------------------------------------------------------------------
    function moreText(result) { return plural(result.more, "more answer") + " needed"; }
    function resultText(result) {
      if (!result.n) return "Not in scope (a later step)";
      if (!result.enough) {
        return (result.band ? result.band.label + " (set by a rule); " + moreText(result) + " for a score" :
          "Not rated yet: " + moreText(result));
      }
      return result.band ? result.band.label : "No score (nothing that counts)";
    }
    function scoreCell(result) {
      if (result.value === null) return "—";
      return pct(result.value) + ' <span class="ag-bar" aria-hidden="true"><span style="width:' +
        Math.floor(result.value) + '%"></span></span>';
    }
    function shortResult(result) {
      return result.value === null ? resultText(result) : pct(result.value) + ": " + resultText(result);
    }
    function groupName(info) { return (info.order ? "Step " + info.order + ": " : "") + info.title; }
    function rowHead(info) {
      return '<th scope="row"><a href="' + esc(info.url) + '">' + esc(groupName(info)) + "</a></th>";
    }
    function table(caption, heads, rows, kind) {
      // The page shows a heading above each table, so its caption is for screen readers only.
      return '<table class="ag-score-table' + (kind ? " " + kind : "") + '"><caption class="ag-sr-only">' + esc(caption) + "</caption><thead><tr>" +
        heads.map(function (head) { return '<th scope="col">' + esc(head) + "</th>"; }).join("") +
        "</tr></thead><tbody>" + rows.join("") + "</tbody></table>";
    }
    function scoreTable(caption, heading, groups, meta, state) {
      var rows = groups.map(function (group) {
        var result = score(group.items, state);
        if (!result.n && meta === config.themes) return "";
        return "<tr>" + rowHead(meta[group.id]) + "<td>" + scoreCell(result) + "</td><td>" +
          (result.n ? result.answered + " of " + result.n : "—") + "</td><td>" + esc(resultText(result)) +
          "</td></tr>";
      });
      return table(caption, [heading, "Score", "Answered", "Result"], rows);
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
    function weakAreas(state) {
      var weak = themeGroups.map(function (group) {
        var result = score(group.items, state);
        var essential = result.unmet.some(function (u) { return u.item.tier === "essential"; });
        return { id: group.id, result: result, essential: essential };
      }).filter(function (entry) {
        var r = entry.result;
        return r.unmet.length && ((r.value !== null && r.value + 1e-9 < bestMin) || r.blockedBy.length);
      });
      weak.sort(function (a, b) {
        return (b.essential - a.essential) ||
          (b.result.possible - b.result.earned) - (a.result.possible - a.result.earned) ||
          (a.result.value || 0) - (b.result.value || 0);
      });
      if (!weak.length) {
        return "<p>" + (Object.keys(state.answers).length ? "No weak areas: every theme with a score in scope scores at " +
          "least " + bestMin + "%, and no rule caps one." : "Answer some questions to see your weak areas.") + "</p>";
      }
      return "<ol class=\"ag-weak-list\">" + weak.map(function (entry) {
        var theme = config.themes[entry.id], r = entry.result;
        var unmet = r.unmet.slice().sort(function (a, b) {
          return ((b.item.tier === "essential") - (a.item.tier === "essential")) || b.shortfall - a.shortfall;
        });
        return "<li><a href=\"" + esc(theme.url) + "\"><strong>" + esc(theme.title) + "</strong></a> — " +
          esc(r.value === null ? "not rated yet" : pct(r.value)) + ", " + r.answered + " of " + r.n + " answered" +
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
      var answered = result.answered + " of " + result.n + " questions in scope answered.";
      if (!result.enough) {
        return (result.band ? result.band.label + " (set by a rule); no score yet: " : "Not rated yet: ") +
          moreText(result) + " for an overall result. " + answered;
      }
      if (result.value === null) return "No overall score: nothing you answered counts towards it. " + answered;
      return "Overall " + pct(result.value) + ": " + result.band.label + ". " + answered;
    }
    function announce(text, now) {
      clearTimeout(announceTimer);
      if (now) live.textContent = text;
      else announceTimer = setTimeout(function () { live.textContent = text; }, ANNOUNCE_AFTER);
    }
    function render(state, prefix) {
      var overall = score(items, state);
      var outside = Object.keys(state.answers).filter(function (id) { return !inScope(itemById[id], state); });
      var lastStep = order(phaseIds[phaseIds.length - 1]);
      $("ag-scope").textContent = "The assessment covers " + stepRange(state) + " (" +
        plural(overall.n, "question") + ")." + (state.later || order(state.step) === lastStep ? "" :
        " Later steps are left out until you open them.") + (outside.length ? " " +
        plural(outside.length, "answer") + " in later steps " + (outside.length === 1 ? "is" : "are") +
        " kept but not counted." : "");
      var progress = $("ag-progress");
      progress.max = overall.n || 1;
      progress.value = overall.answered;
      $("ag-progress-text").textContent = overall.answered + " of " + overall.n;
      Array.prototype.forEach.call(stepSets, function (set) {
        var group = phaseGroups.filter(function (g) { return g.id === set.getAttribute("data-phase"); })[0];
        var line = set.querySelector(".ag-phase__progress");
        if (!group || !line) return;
        var result = score(group.items, state);
        line.textContent = result.answered + " of " + result.n + " questions in this step answered";
        line.hidden = false;
      });
      $("ag-overall").innerHTML =
        '<table class="ag-score-table ag-overall-table"><caption>Overall result</caption><tbody>' +
        '<tr><th scope="row">Steps assessed</th><td>' + esc(stepRange(state)) + "</td></tr>" +
        '<tr><th scope="row">Score</th><td>' + scoreCell(overall) + "</td></tr>" +
        '<tr><th scope="row">Result</th><td><strong>' + esc(resultText(overall)) + "</strong></td></tr>" +
        '<tr><th scope="row">Questions answered</th><td>' + overall.answered + " of " + overall.n + "</td></tr>" +
        "</tbody></table>" + (overall.band && overall.enough ? "<p>" + esc(overall.band.text) + "</p>" : "") +
        capsText(overall);
      $("ag-by-theme").innerHTML = scoreTable("Results by theme", "Theme", themeGroups, config.themes, state);
      $("ag-by-phase").innerHTML = scoreTable("Results by step", "Step", phaseGroups, config.phases, state);
      $("ag-weak").innerHTML = weakAreas(state);
      var text = summary(overall);
      $("ag-summary").textContent = text;
      announce((prefix ? prefix + " " : "") + text, !!prefix);
      shareField.value = shareLink(state);
      if (earlier) renderDiff(state);
    }

    // --- Notices --------------------------------------------------------------------------
    function showNotice(lines) {
      noticeLines = noticeLines.concat(lines);
      notice.innerHTML = noticeLines.map(function (line) { return "<p>" + esc(line) + "</p>"; }).join("");
    }
    function clearNotice() {
      noticeLines = [];
      notice.textContent = "";
    }
    // Retired items are named as such, with their replacement when the data gives one.
    function listed(bad) {
      var retired = config.retired || {};
      var shown = bad.slice(0, 10).map(function (entry) {
        var id = entry.id;
        var why = entry.why || (own(retired, id) ? "retired" + (retired[id] ? "; replaced by " + retired[id] : "") : "");
        return "“" + id.slice(0, 30) + "”" + (why ? " (" + why + ")" : "");
      }).join(", ");
      return shown + (bad.length > 10 ? " and " + (bad.length - 10) + " more" : "");
    }

    // --- Reading saved, shared and loaded values ------------------------------------------
    // `raw` is anything (parsed JSON or a parsed share link); `what` names where it came from and `What` its
    // answers in notices; `bad` holds entries already found unreadable. Returns the usable state (null when
    // nothing is) and notice lines naming what was left out. Never throws on bad input.
    function readState(raw, what, What, bad) {
      var state = blank(), lines = [];
      bad = bad || [];
      if (!isRecord(raw)) {
        return { state: null, lines: [What + " could not be read and were discarded (" + kind(raw) + ")."] };
      }
      var version = field(raw, "version");
      if (typeof version === "string" && version.length <= 40) {
        if (version && version !== config.guide.version) {
          lines.push(What + " were made with version " + version + " of the guide; this is version " +
            config.guide.version + ". Check the answers, as questions may have changed.");
        }
      } else if (version !== undefined) {
        lines.push("The guide version in " + what + " could not be read (" + kind(version) + ") and was ignored.");
      }
      ["answers", "notes"].forEach(function (key) {
        var map = field(raw, key);
        if (map === undefined) return;
        if (!isRecord(map)) {
          lines.push("“" + key + "” in " + what + " was " + kind(map) + " instead of " + key + " by question, " +
            "so it was ignored.");
          return;
        }
        Object.keys(map).forEach(function (id) {
          var value = map[id], entry = { id: id };
          if (!own(itemById, id)) bad.push(entry);
          else if (typeof value !== "string") bad.push({ id: id, why: key.slice(0, -1) + " is " + kind(value) });
          else if (key === "notes" && value.length > limits.note) {
            bad.push({ id: id, why: "note longer than " + limits.note + " characters" });
          } else if (key === "answers" && !own(answerById, value)) bad.push({ id: id, why: "unknown answer" });
          else state[key][id] = value;
        });
      });
      var step = field(raw, "step"), later = field(raw, "later");
      if (typeof step === "string" && own(config.phases, step)) state.step = step;
      else {
        if (step !== undefined) lines.push("The step in " + what + " was not recognised and was ignored.");
        // Without a step, the latest step answered (older links and saved answers).
        Object.keys(state.answers).forEach(function (id) {
          if (order(itemById[id].phase) > order(state.step)) state.step = itemById[id].phase;
        });
      }
      if (typeof later === "boolean") state.later = later;
      else if (later !== undefined) {
        lines.push("The setting for later steps in " + what + " was " + kind(later) + " and was ignored.");
      }
      if (bad.length) {
        lines.push(plural(bad.length, "entry", "entries") + " in " + what + " could not be restored and " +
          (bad.length === 1 ? "was" : "were") + " ignored: " + listed(bad) + ". " +
          plural(Object.keys(state.answers).length, "answer was", "answers were") + " restored.");
      }
      return { state: state, lines: lines };
    }
    // Text read as JSON, or the reason it cannot be: {value} or {error}.
    function parseText(text, What) {
      var why = text.length > limits.text ? "over " + limits.text + " characters" : null;
      if (!why) {
        try { return { value: JSON.parse(text) }; } catch (e) { why = "not valid JSON"; }
      }
      return { error: What + " could not be read and were discarded (" + why + ")." };
    }
    // A share link's fragment as the raw fields readState checks; entries that cannot be decoded are kept as bad.
    function linkFields(params, bad) {
      var raw = { answers: Object.create(null), notes: Object.create(null) };
      function entries(value, target) {
        String(value || "").split(",").forEach(function (entry) {
          if (!entry) return;
          var dot = entry.indexOf(".");
          var id = decode(dot === -1 ? entry : entry.slice(0, dot));
          var rest = dot === -1 ? null : decode(entry.slice(dot + 1));
          if (id && rest !== null) target[id] = rest;
          else bad.push({ id: id || entry });
        });
      }
      entries(params.a, raw.answers);
      entries(params.n, raw.notes);
      if (params.v !== undefined) raw.version = decode(params.v);
      if (params.s !== undefined) raw.step = decode(params.s);
      if (params.l !== undefined) raw.later = params.l === "1" || (params.l === "0" ? false : decode(params.l));
      raw.format = params.f;
      return raw;
    }
    function readLink(params) {
      var bad = [], raw = linkFields(params, bad);
      var result = readState(raw, "the share link", "The answers in the share link", bad);
      var format = Number(raw.format || 1);
      if (format !== 1 && format !== FORMAT) {
        result.lines.unshift("This share link was made by a different version of this page (format " +
          String(decode(raw.format)).slice(0, 20) + "); what could be read was restored.");
      }
      return result;
    }

    // --- Saved state --------------------------------------------------------------------
    var storageWarned = false;
    function save(state) {
      try {
        if (!Object.keys(state.answers).length && !Object.keys(state.notes).length &&
          state.step === phaseIds[0] && !state.later) {
          localStorage.removeItem(config.storageKey);
          return;
        }
        localStorage.setItem(config.storageKey, JSON.stringify({
          schema: FORMAT, version: config.guide.version, saved: new Date().toISOString(), step: state.step,
          later: state.later, answers: state.answers, notes: state.notes,
        }));
      } catch (e) {
        if (!storageWarned) {
          storageWarned = true;
          showNotice(["Your answers cannot be saved in this browser (its storage is blocked or full). " +
            "Use the share link or an export to keep them."]);
        }
      }
    }
    function forget() {
      try { localStorage.removeItem(config.storageKey); } catch (e) { /* storage blocked: nothing stored */ }
    }
    function loadSaved() {
      var text;
      try { text = localStorage.getItem(config.storageKey); } catch (e) { return null; }
      if (text === null) return null;
      var What = "The answers saved in this browser";
      var parsed = parseText(text, What);
      var result = parsed.error ? { state: null, lines: [parsed.error] } :
        readState(parsed.value, "the saved answers", What);
      if (!result.state) forget();
      showNotice(result.lines);
      return result.state;
    }

    // --- Share links ----------------------------------------------------------------------
    function shareLink(state) {
      var answers = Object.keys(state.answers).map(function (id) { return id + "." + state.answers[id]; });
      var notes = Object.keys(state.notes).map(function (id) {
        return id + "." + encodeURIComponent(state.notes[id]);
      });
      return location.href.split("#")[0] + "#a=" + answers.join(",") + (notes.length ? "&n=" + notes.join(",") : "") +
        "&s=" + encodeURIComponent(state.step) + (state.later ? "&l=1" : "") + "&v=" +
        encodeURIComponent(config.guide.version) + "&f=" + FORMAT;
    }
    function applyLink(hash) {
      var params = shareParams(hash);
      if (!params) return false;
      stripHash();
      clearNotice();
      var link = hash.length > limits.text ? { state: null, lines: [] } : readLink(params);
      if (!link.state) {
        showNotice(["The share link was too large to read and was ignored."]);
        return false;
      }
      writeForm(link.state);
      save(link.state);
      showNotice(link.lines);
      render(link.state, "Answers restored from the share link.");
      return true;
    }

    // --- Comparing with an earlier assessment ---------------------------------------------
    // An export of this page (or of its first version, which only listed answer labels) or a saved state.
    function fromExport(raw) {
      if (!isRecord(raw) || field(raw, "format") !== EXPORT_FORMAT) return raw;
      var scope = field(raw, "scope"), guide = field(raw, "guide"), rows = field(raw, "items");
      var fields = { version: field(guide, "version"), answers: field(raw, "answers"), notes: field(raw, "notes") };
      if (isRecord(scope)) {
        fields.step = field(scope, "step");
        fields.later = field(scope, "later");
      }
      if (fields.answers === undefined && Array.isArray(rows)) {
        fields.answers = Object.create(null);
        rows.forEach(function (row) {
          var id = field(row, "item"), label = field(row, "answer");
          if (typeof id === "string" && typeof label === "string" && answerByLabel[label]) {
            fields.answers[id] = answerByLabel[label].id;
          }
        });
      }
      return fields;
    }
    function compareWith(result, label) {
      showNotice(result.lines);
      if (!result.state) return;
      earlier = { state: result.state, label: label };
      render(readForm(), "Comparison with " + label + " shown below your results.");
    }
    function compareFile(input) {
      var file = input.files && input.files[0];
      if (!file) return;
      var What = "The answers in the file " + file.name.slice(0, 80);
      clearNotice();
      if (file.size > limits.text) {
        showNotice([What + " were too large to read and were ignored."]);
        return;
      }
      var reader = new FileReader();
      input.value = ""; // the same file can be chosen again later
      reader.onload = function () {
        var parsed = parseText(String(reader.result), What);
        if (parsed.error) return showNotice([parsed.error]);
        var date = field(parsed.value, "date");
        compareWith(readState(fromExport(parsed.value), "the file", What), "your export" +
          (typeof date === "string" && /^\d{4}-\d\d-\d\d$/.test(date) ? " of " + date : ""));
      };
      reader.onerror = function () { showNotice([What + " could not be read."]); };
      reader.readAsText(file);
    }
    function compareLink() {
      var text = $("ag-compare-link").value.trim();
      clearNotice();
      var params = text.length <= limits.text ? shareParams(text.slice(text.indexOf("#") + 1)) : null;
      if (!params) return showNotice(["That is not a share link from this page; nothing was compared."]);
      compareWith(readLink(params), "the earlier share link");
    }
    function renderDiff(now) {
      var before = earlier.state;
      var rows = [["Overall", score(items, before), score(items, now)]];
      [[themeGroups, config.themes], [phaseGroups, config.phases]].forEach(function (pair) {
        pair[0].forEach(function (group) {
          var b = score(group.items, before), n = score(group.items, now);
          if (b.n || n.n) rows.push([rowHead(pair[1][group.id]), b, n]);
        });
      });
      var changed = items.filter(function (item) {
        return (before.answers[item.id] || "") !== (now.answers[item.id] || "");
      });
      function label(state, id) {
        var answer = answerById[state.answers[id]];
        return answer ? answer.label : "Not answered";
      }
      var head = "Earlier (" + earlier.label + ")";
      $("ag-diff").innerHTML = '<h3 id="ag-diff-heading">Changes since ' + esc(earlier.label) + "</h3>" +
        "<p>Earlier: " + esc(stepRange(before)) + " assessed. Now: " + esc(stepRange(now)) + " assessed.</p>" +
        table("Results earlier and now", ["Theme or step", head, "Now"], rows.map(function (row) {
          var moved = shortResult(row[1]) !== shortResult(row[2]);
          return "<tr" + (moved ? ' class="ag-changed"' : "") + ">" +
            (row[0] === "Overall" ? '<th scope="row">Overall</th>' : row[0]) + "<td>" + esc(shortResult(row[1])) +
            "</td><td>" + esc(shortResult(row[2])) + "</td></tr>";
        })) + "<h3>Answers that changed</h3>" + (changed.length ? table("Answers that changed",
          ["Item", "Question", head, "Now"], changed.map(function (item) {
            return '<tr><th scope="row">' + esc(item.id) + "</th><td>" + esc(item.question) + "</td><td>" +
              esc(label(before, item.id)) + "</td><td>" + esc(label(now, item.id)) + "</td></tr>";
          }), "ag-change-table") : "<p>No answer has changed.</p>") +
        '<p><button type="button" class="md-button" data-action="compare-clear">Stop comparing</button></p>';
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
          tier: item.tier, in_scope: inScope(item, state), answer: answer ? answer.label : "",
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
      announce("Downloaded " + name + ".", true);
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
      var state = readForm(), overall = score(items, state);
      download(JSON.stringify({
        format: EXPORT_FORMAT, schema: FORMAT, guide: config.guide, date: today(),
        scope: { step: state.step, later: state.later },
        result: {
          score: overall.value, band: overall.band ? overall.band.label : null, rated: overall.value !== null,
          answered: overall.answered, in_scope: overall.n, needed: needed(overall.n),
        },
        answers: state.answers, notes: state.notes, items: rows(),
      }, null, 2) + "\n", "application/json", "json");
    }
    function copyLink() {
      var url = shareLink(readForm());
      shareField.value = url;
      function done() { announce("Share link copied to the clipboard.", true); }
      function fallback() {
        shareField.focus();
        shareField.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        announce(copied ? "Share link copied to the clipboard." :
          "Copy the share link from the field below the buttons.", true);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, fallback);
      } else fallback();
    }
    function clearAll() {
      forget();
      writeForm(blank());
      clearNotice();
      stripHash();
      render(blank(), "Your answers were cleared.");
    }
    var actions = {
      share: copyLink, csv: exportCsv, json: exportJson, clear: clearAll,
      print: function () { window.print(); },
      "compare-link": compareLink,
      "compare-clear": function () {
        earlier = null;
        $("ag-diff").textContent = "";
        $("ag-compare-heading").focus(); // the button that had the focus is gone
        announce("The comparison was closed.", true);
      },
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
    function scopeChanged() {
      var state = readForm();
      showScope(state);
      save(state);
      render(state, "Now assessing " + stepRange(state) + ".");
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", function (event) { if (event.target.tagName === "TEXTAREA") changed(event); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    stepSelect.addEventListener("change", scopeChanged);
    laterBox.addEventListener("change", scopeChanged);
    $("ag-compare-file").addEventListener("change", function (event) { compareFile(event.target); });
    root.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-action], [data-jump]") : null;
      if (!target || !root.contains(target)) return;
      var jump = target.getAttribute("data-jump");
      if (jump && $(jump)) {
        event.preventDefault();
        $(jump).focus();
        return;
      }
      var action = target.getAttribute("data-action");
      if (own(actions, action)) actions[action]();
    });
    ["ag-top", "ag-results", "ag-compare"].forEach(function (id) { $(id).hidden = false; });
    page = { applyLink: applyLink };

    var hash = pendingHash;
    pendingHash = null;
    if (!hash || !applyLink(hash)) {
      var saved = loadSaved();
      var state = saved || blank();
      writeForm(state);
      render(state, saved && Object.keys(saved.answers).length ? "Your saved answers were restored." : "");
    }
  }

  var PARTS = ["ag-results", "ag-live", "ag-notice", "ag-overall", "ag-by-theme", "ag-by-phase", "ag-weak",
    "ag-share-url", "ag-top", "ag-step", "ag-later", "ag-scope", "ag-progress", "ag-progress-text", "ag-summary",
    "ag-compare", "ag-compare-file", "ag-compare-link", "ag-diff"];
  // The page's form (the whole-guide print page has no scripts: there it stays a checklist).
  function ownForm() {
    return document.getElementById("ag-assessment-form");
  }
  function init() {
    var data = document.getElementById("ag-assessment-data");
    var form = ownForm();
    if (!data || !form || form.hasAttribute("data-ag-ready")) return;
    if (PARTS.some(function (id) { return !document.getElementById(id); })) return;
    form.setAttribute("data-ag-ready", "");
    var config;
    try {
      config = JSON.parse(data.textContent);
    } catch (e) {
      config = null;
    }
    var notice = document.getElementById("ag-notice");
    var usable = config && config.guide && config.weights && config.themes && config.phases && config.minAnswered &&
      config.limits && ["items", "answers", "bands", "blocking"].every(function (key) {
        return Array.isArray(config[key]);
      }) && Object.keys(config.phases).length;
    if (!usable) {
      notice.textContent = "The self-assessment could not start. The questions still work as a printable checklist.";
      return;
    }
    setUp(form, config, form.parentNode);
  }

  // A share link is taken out of the address at once, before other scripts read the fragment as an element id.
  function takeLink() {
    if (!ownForm() || !shareParams(location.hash)) return;
    var hash = location.hash;
    stripHash();
    if (page) page.applyLink(hash);
    else pendingHash = hash;
  }
  // The page loads this script before Material's bundle (overrides/main.html), so both run first.
  takeLink();
  window.addEventListener("hashchange", takeLink);
  // The form starts in a task of its own once the page is ready, not inside the long task in which Material
  // sets up its components: two shorter tasks keep the page responsive while it loads.
  function start() { setTimeout(init, 0); }
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
    window.addEventListener("load", start);
  }
})();
