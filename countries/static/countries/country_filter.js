// Live filtering on /countries/: hides rows as you type. Optional: without JavaScript the form
// submits and the server filters. Matches the server's folding (accents and case ignored).
(function () {
  "use strict";
  var form = document.getElementById("country-filter");
  var table = document.getElementById("country-table");
  if (!form || !table) { return; }
  var query = form.elements.q;
  var process = form.elements.process;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var shown = document.querySelector("#country-count [data-shown]");
  var empty = document.getElementById("country-empty");

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function apply() {
    var q = fold(query.value);
    var p = process.value;
    var visible = 0;
    rows.forEach(function (row) {
      var match = (!q || row.dataset.search.indexOf(q) !== -1) && (!p || row.dataset.process === p);
      row.hidden = !match;
      if (match) { visible += 1; }
    });
    if (shown) { shown.textContent = String(visible); }
    if (empty) { empty.hidden = visible !== 0; }
  }

  query.addEventListener("input", apply);
  process.addEventListener("change", apply);
})();
