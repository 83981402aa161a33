// The cohort table: sortable by any column (click a header; again to reverse), its states
// and scores kept up to date from the opening's status JSON (polled while something is
// queued or grading, slowly otherwise), and the compare button enabled for 2 to 5 choices.
(function () {
  "use strict";

  var table = document.getElementById("cohort");
  if (!table) {
    return;
  }
  var body = table.tBodies[0];

  function sortValue(cell, numeric) {
    var raw = cell ? cell.dataset.sort : "";
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return (raw || (cell ? cell.textContent : "")).toLowerCase();
  }

  function sortBy(th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.dataset.numeric === "1";
    var current = th.getAttribute("aria-sort");
    var descending = current ? current === "ascending" : numeric;   // numbers: highest first
    table.querySelectorAll("th[aria-sort]").forEach(function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a.cells[index], numeric);
      var y = sortValue(b.cells[index], numeric);
      if (x === y) { return 0; }
      if (x === null || x === "") { return 1; }      // blanks last, either way
      if (y === null || y === "") { return -1; }
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  table.querySelectorAll("thead th[data-col]").forEach(function (th) {
    th.classList.add("sortable");
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });

  var button = document.getElementById("compare-submit");
  var count = document.getElementById("compare-count");
  function choices() {
    var n = table.querySelectorAll("input.compare-choice:checked").length;
    if (button) { button.disabled = n < 2 || n > 5; }
    if (count) { count.textContent = n ? n + " chosen (2 to 5)" : "choose 2 to 5 graded candidates"; }
  }
  table.addEventListener("change", choices);
  choices();

  function apply(data) {
    (data.rows || []).forEach(function (row) {
      var tr = document.getElementById("cohort-row-" + row.invite);
      if (!tr) { return; }
      tr.className = "state-" + row.state_class;
      Object.keys(row.cells).forEach(function (key) {
        var td = tr.querySelector('td[data-col="' + key + '"]');
        var cell = row.cells[key];
        if (!td || !cell) { return; }
        if (td.textContent !== cell.text) { td.textContent = cell.text; }
        td.dataset.sort = cell.sort === null || cell.sort === undefined ? "" : String(cell.sort);
        if (cell.title) { td.title = cell.title; } else { td.removeAttribute("title"); }
      });
      var box = document.getElementById("compare-" + row.invite);
      if (box) { box.disabled = !row.submission; }
    });
    var warning = document.getElementById("cohort-warning");
    if (warning) {
      warning.textContent = data.warning || "";
      warning.hidden = !data.warning;
    }
    choices();
  }

  var url = table.dataset.statusUrl;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        apply(data);
        window.setTimeout(poll, data.active ? 2000 : 15000);
      }, function () { window.setTimeout(poll, 15000); });
  }
  if (url && window.fetch) {
    window.setTimeout(poll, 2000);
  }
}());
