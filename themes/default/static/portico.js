// Portico: small progressive enhancements. Pages work without this file.
(function () {
  "use strict";
  // Copy buttons on code blocks.
  document.querySelectorAll("div.highlight").forEach(function (block) {
    var code = block.querySelector("code");
    if (!code || !navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.innerText).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
    block.appendChild(button);
  });
})();

// Diagrams: pages with ```mermaid blocks load mermaid.min.js before this file.
(function () {
  "use strict";
  if (!window.mermaid) return;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  window.mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default", securityLevel: "strict" });
  window.mermaid.run({ querySelector: "pre.mermaid" });
})();

// Catalog lists: facet menus with counts, a text filter and sortable
// columns over the rows of table.entities (each row carries its facet
// values as data- attributes). Without this script the table is complete.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var table = document.querySelector("table.entities");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
  var text = form.querySelector("input[data-filter=text]");
  var output = form.querySelector("output");
  var words = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function values(row, facet) {
    var v = row.getAttribute("data-" + facet) || "";
    if (facet === "tag") return v.split(" ").filter(Boolean);
    return v ? [v] : [];
  }
  // Whether a row passes every filter but `except` (for that one's counts).
  function passes(row, i, except) {
    var query = text.value.trim().toLowerCase();
    if (query && query.split(/\s+/).some(function (w) { return words[i].indexOf(w) < 0; })) return false;
    return selects.every(function (s) {
      return s === except || !s.value || values(row, s.getAttribute("data-facet")).indexOf(s.value) >= 0;
    });
  }
  function update() {
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = passes(row, i, null);
      row.hidden = !ok;
      if (ok) shown++;
    });
    output.textContent = shown + " of " + rows.length;
    selects.forEach(function (select) {
      var facet = select.getAttribute("data-facet"), counts = Object.create(null);
      rows.forEach(function (row, i) {
        if (!passes(row, i, select)) return;
        values(row, facet).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var current = select.value;
      var keys = Object.keys(counts).sort();
      if (current && keys.indexOf(current) < 0) keys.unshift(current);
      select.textContent = "";
      select.appendChild(new Option("all", ""));
      keys.forEach(function (k) { select.appendChild(new Option(k + " (" + (counts[k] || 0) + ")", k)); });
      select.value = current;
    });
  }
  var head = table.tHead.rows[0];
  Array.prototype.forEach.call(head.cells, function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(head.cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (r) { return r.cells[column].textContent.trim().toLowerCase(); };
      rows.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      }).forEach(function (r) { body.appendChild(r); });
    });
  });
  form.hidden = false;
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  update();
})();
