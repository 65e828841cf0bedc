/**
 * The inspector page's script (served at `GET /_emulator/inspector.js`): polls the control API once a second and
 * renders it. Plain browser JavaScript, no dependency; every value goes in as text (a customId may hold markup).
 */
export const inspectorJs = String.raw`"use strict";
(function () {
  var POLL_MS = 1000;
  var requests = [];
  var lastSeq = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(cells, className) {
    var tr = el("tr", className);
    cells.forEach(function (cell) {
      if (cell instanceof Node) {
        var td = el("td");
        td.appendChild(cell);
        tr.appendChild(td);
      } else if (cell && typeof cell === "object") {
        tr.appendChild(el("td", cell.className, cell.text));
      } else {
        tr.appendChild(el("td", "", cell === undefined ? "" : cell));
      }
    });
    return tr;
  }

  function fill(tableId, rows, columns, emptyText) {
    var body = document.querySelector("#" + tableId + " tbody");
    var fresh = document.createElement("tbody");
    if (rows.length === 0) {
      var empty = row([emptyText], "empty");
      empty.firstChild.colSpan = columns;
      fresh.appendChild(empty);
    }
    rows.forEach(function (r) { fresh.appendChild(r); });
    body.replaceWith(fresh);
    document.getElementById(tableId + "-count").textContent = "(" + rows.length + ")";
  }

  function time(iso) {
    return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
  }

  function why(entry) {
    var box = el("div", "why");
    var explanation = entry.explanation;
    if (entry.fault) box.appendChild(el("p", "", "Injected fault: " + entry.fault));
    if (!explanation) return box;
    // The message repeats the string-to-sign for SDKs (which keep only code and message); shown below here.
    var message = String(explanation.message);
    var cut = message.indexOf(" The emulator's string-to-sign:");
    box.appendChild(el("p", "message", cut > 0 && explanation.stringToSign !== undefined ? message.slice(0, cut) : message));
    var dl = el("dl");
    var facts = [
      ["code", explanation.code],
      ["differs", explanation.differs],
      ["client signed", explanation.clientSigned],
      ["header", explanation.header],
      ["field", explanation.field],
      ["clock skew", explanation.clockSkewSeconds === undefined ? undefined : explanation.clockSkewSeconds + " s"],
    ];
    facts.forEach(function (fact) {
      if (fact[1] === undefined || fact[1] === null) return;
      dl.appendChild(el("dt", "", fact[0]));
      dl.appendChild(el("dd", "fact-" + fact[0].replace(/ /g, "-"), fact[1]));
    });
    if (explanation.stringToSign !== undefined) {
      dl.appendChild(el("dt", "", "string-to-sign"));
      var dd = el("dd");
      dd.appendChild(el("pre", "string-to-sign", explanation.stringToSign));
      dl.appendChild(dd);
    }
    box.appendChild(dl);
    return box;
  }

  function renderRequests() {
    var rows = requests.slice().reverse().map(function (entry) {
      var status = entry.status === 0 ? "dropped" : entry.status + (entry.code ? " " + entry.code : "");
      var kind = entry.status >= 500 || entry.status === 0 ? "failed" : entry.status >= 400 ? "refused" : "ok";
      var tr = row([
        entry.seq, { className: "time", text: entry.at.slice(11, 23) }, entry.method, { className: "path", text: entry.path },
        entry.apiVersion || "", { className: "status", text: status }, why(entry),
      ], kind);
      tr.dataset.seq = entry.seq;
      return tr;
    });
    fill("requests", rows, 7, "No requests yet.");
  }

  function renderIdentities(list) {
    fill("identities", list.map(function (identity) {
      return row([
        { className: "id", text: identity.id }, identity.customId, time(identity.createdAt), identity.tokensIssued,
        time(identity.lastTokenIssuedAt), time(identity.tokensRevokedAt), identity.deleted ? "deleted " + time(identity.deletedAt) : "live",
      ], identity.deleted ? "deleted" : "");
    }), 7, "No identities.");
  }

  function renderAssignments(data) {
    var rows = [];
    (data.teamsExtension || []).forEach(function (a) {
      rows.push(row(["Teams Phone extensibility", a.tenantId, { className: "id", text: a.objectId }, a.principalType, (a.clientIds || ["any"]).join(", ")]));
    });
    (data.entra || []).forEach(function (a) {
      rows.push(row(["Entra ID", a.tenantId, { className: "id", text: a.objectId }, a.principalType, (a.clientIds || []).join(", ")]));
    });
    fill("assignments", rows, 5, "No assignments.");
  }

  function renderFaults(list) {
    fill("faults", list.map(function (rule) {
      var match = rule.match || {};
      return row([match.method || "any", match.path || "any", rule.times, JSON.stringify(rule.fault)]);
    }), 4, "No pending faults.");
  }

  function getJson(path) {
    return fetch(path, { headers: { accept: "application/json" }, cache: "no-store" }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var error = body && body.error;
          throw new Error(path + ": " + response.status + " " + (error ? (error.innererror && error.innererror.message) || error.message : ""));
        }
        return body;
      });
    });
  }

  function setStatus(state, text) {
    var status = document.getElementById("status");
    status.dataset.state = state;
    status.textContent = text;
  }

  function poll() {
    Promise.all([
      getJson("/_emulator/requests?after=" + lastSeq),
      getJson("/_emulator/identities"),
      getJson("/_emulator/assignments"),
      getJson("/_emulator/faults"),
      getJson("/_emulator/clock"),
    ]).then(function (answers) {
      var fresh = answers[0].value;
      if (fresh.length > 0) {
        requests = requests.concat(fresh).slice(-500);
        lastSeq = fresh[fresh.length - 1].seq;
      }
      renderRequests();
      renderIdentities(answers[1].value);
      renderAssignments(answers[2]);
      renderFaults(answers[3].value);
      var clock = answers[4];
      document.getElementById("clock").textContent = "Emulator clock: " + time(clock.now) + (clock.offsetSeconds ? " (offset " + clock.offsetSeconds + " s)" : "");
      setStatus("live", "Live: " + answers[0].total + " requests served; updated " + new Date().toLocaleTimeString());
    }).catch(function (error) {
      setStatus("error", "Cannot read the emulator: " + error.message);
    }).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  poll();
})();
`;
