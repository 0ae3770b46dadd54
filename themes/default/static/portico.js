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

// Diagrams: pages with ```mermaid blocks load mermaid.min.js (5 MB) with
// `async`, so the page, its buttons and search never wait for it: drawn
// when it has run, before or after this file.
(function () {
  "use strict";
  function draw() {
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    window.mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default", securityLevel: "strict" });
    window.mermaid.run({ querySelector: "pre.mermaid" });
  }
  if (window.mermaid) return draw();
  var script = document.querySelector('script[src$="mermaid.min.js"]');
  if (script) script.addEventListener("load", function () { if (window.mermaid) draw(); });
})();

// Starred entities, kept in localStorage (which pages opened from file://
// share too) as a list of entity refs. Storage may be off: then nothing is
// starred and the star buttons do nothing lasting.
var porticoStars = (function () {
  "use strict";
  var KEY = "portico.starred";
  function read() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (r) { return typeof r === "string"; }) : [];
    } catch (e) { return []; }
  }
  function has(ref) { return read().indexOf(ref) >= 0; }
  function toggle(ref) {
    var list = read(), at = list.indexOf(ref);
    if (at >= 0) list.splice(at, 1); else list.push(ref);
    try { window.localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* storage off */ }
    return at < 0;
  }
  // A star button for `ref`; `changed` runs after each click.
  function button(ref, name, changed) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "star";
    function show(on) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "\u2605" : "\u2606";
      b.title = (on ? "Unstar " : "Star ") + name;
      b.setAttribute("aria-label", b.title);
    }
    show(has(ref));
    b.addEventListener("click", function () { show(toggle(ref)); if (changed) changed(); });
    return b;
  }
  return { has: has, button: button };
})();

// Entity pages: a star beside the title.
(function () {
  "use strict";
  var head = document.querySelector(".entity-head[data-ref]");
  if (!head) return;
  var h1 = head.querySelector("h1");
  h1.appendChild(porticoStars.button(head.getAttribute("data-ref"), h1.textContent, null));
})();

// Catalog lists: facet menus with counts, a text filter, the starred
// switch and sortable columns over the rows of table.entities (each row
// carries its facet values as data- attributes). The filters are kept in
// the page's address (?kind=api&owner=team-a&text=orders&starred=1), so a
// filtered list can be bookmarked and shared. Without this script the
// table is complete.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var table = document.querySelector("table.entities");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
  var text = form.querySelector("input[data-filter=text]");
  var starred = form.querySelector("input[data-filter=starred]");
  var output = form.querySelector("output");
  var words = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function values(row, facet) {
    var v = row.getAttribute("data-" + facet) || "";
    if (facet === "tag") return v.split("\n").filter(Boolean);
    return v ? [v] : [];
  }
  // Whether a row passes every filter but `except` (for that one's counts).
  function passes(row, i, except) {
    var query = text.value.trim().toLowerCase();
    if (query && query.split(/\s+/).some(function (w) { return words[i].indexOf(w) < 0; })) return false;
    if (starred && starred.checked && !porticoStars.has(row.getAttribute("data-ref"))) return false;
    return selects.every(function (s) {
      return s === except || !s.value || values(row, s.getAttribute("data-facet")).indexOf(s.value) >= 0;
    });
  }
  // The filters as the address's query; other parameters are kept.
  function remember() {
    var params = new URLSearchParams(window.location.search);
    if (text.value.trim()) params.set("text", text.value.trim()); else params.delete("text");
    selects.forEach(function (s) {
      var name = s.getAttribute("data-facet");
      if (s.value) params.set(name, s.value); else params.delete(name);
    });
    if (starred && starred.checked) params.set("starred", "1"); else params.delete("starred");
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    } catch (e) { /* some browsers refuse it on file:// */ }
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
  // The address's filters, before the first count.
  var params = new URLSearchParams(window.location.search);
  if (params.get("text")) text.value = params.get("text");
  selects.forEach(function (s) {
    var v = params.get(s.getAttribute("data-facet"));
    if (v) { s.appendChild(new Option(v, v)); s.value = v; }
  });
  if (starred && params.get("starred") === "1") starred.checked = true;
  // A star in each row's first cell.
  rows.forEach(function (row) {
    var ref = row.getAttribute("data-ref"), cell = row.cells[0];
    if (!ref || !cell) return;
    cell.insertBefore(porticoStars.button(ref, cell.textContent.trim(), function () {
      if (starred && starred.checked) update();
    }), cell.firstChild);
  });
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
      var key = function (r) {
        var cell = r.cells[column], star = cell.querySelector("button.star");
        var t = cell.textContent;
        if (star) t = t.replace(star.textContent, "");
        return t.trim().toLowerCase();
      };
      rows.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        // Numbers (page counts) as numbers, the rest as text.
        var nx = Number(x), ny = Number(y);
        if (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) { x = nx; y = ny; }
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      }).forEach(function (r) { body.appendChild(r); });
    });
  });
  // Phones: the menus fold behind the "Filters" button (the stylesheet
  // shows it, and folds them, below 720 px), so the list starts on the
  // first screen; unfolded at once when the address chose a menu's value.
  var more = form.querySelector("button.filters-more");
  function chosen() { return selects.filter(function (s) { return s.value; }).length; }
  function label() { if (more) more.textContent = "Filters" + (chosen() ? " (" + chosen() + ")" : ""); }
  function unfold(open) { form.classList.toggle("open", open); if (more) more.setAttribute("aria-expanded", String(open)); }
  if (more) more.addEventListener("click", function () { unfold(!form.classList.contains("open")); });
  unfold(chosen() > 0);
  label();
  form.hidden = false;
  form.addEventListener("change", label);
  form.addEventListener("input", function () { update(); remember(); });
  form.addEventListener("change", function () { update(); remember(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  update();
})();

// The docs reader, as TechDocs' addons have it: text size (kept in
// localStorage), a navigation that folds away and folds its sections on
// large sites, images that open full size (LightBox), and selected text
// reported as a new issue in the repository's tracker (ReportIssue).
// Without this script the page is the same page without them.
(function () {
  "use strict";
  var article = document.querySelector("body.docs main article");
  if (!article) return;
  var main = article.parentNode;
  function stored(key, fallback) {
    try { var v = window.localStorage.getItem(key); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage off */ }
  }
  function button(label, title, click) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    // The name holds what is shown when that is a word ("A−, Smaller
    // text"): voice control users say what they see.
    b.setAttribute("aria-label", /[A-Za-z0-9]/.test(label) ? label + ", " + title : title);
    b.addEventListener("click", click);
    return b;
  }
  // The default docs template has the (empty) toolbar in place, so the
  // page does not move when it is filled; a theme's template may not.
  var tools = main.querySelector(".docs-tools");
  var placed = !!tools;
  if (!tools) {
    tools = document.createElement("div");
    tools.className = "docs-tools";
  }

  // TextSize: 70% to 160% of the theme's size, in steps of 10.
  var size = parseInt(stored("portico.textSize", "100"), 10);
  if (!(size >= 70 && size <= 160)) size = 100;
  var shownSize = document.createElement("output");
  function applySize() {
    article.style.fontSize = size === 100 ? "" : size + "%";
    shownSize.textContent = size + "%";
    store("portico.textSize", String(size));
  }
  var sizeGroup = document.createElement("span");
  sizeGroup.className = "text-size";
  sizeGroup.setAttribute("role", "group");
  sizeGroup.setAttribute("aria-label", "Text size");
  sizeGroup.appendChild(button("A\u2212", "Smaller text", function () { size = Math.max(70, size - 10); applySize(); }));
  sizeGroup.appendChild(shownSize);
  sizeGroup.appendChild(button("A+", "Larger text", function () { size = Math.min(160, size + 10); applySize(); }));
  tools.appendChild(sizeGroup);
  applySize();

  // The navigation folds away (remembered), and on large sites its
  // sections fold, all but the current page's.
  var nav = document.querySelector(".docs-nav");
  if (nav) {
    var layout = nav.parentNode;
    var toggle = button("", "", function () {
      var hidden = !layout.classList.contains("nav-hidden");
      showNav(!hidden);
      store("portico.navHidden", hidden ? "1" : "0");
    });
    toggle.className = "nav-toggle";
    function showNav(shown) {
      layout.classList.toggle("nav-hidden", !shown);
      toggle.textContent = shown ? "Hide navigation" : "Show navigation";
      toggle.title = toggle.textContent;
      toggle.setAttribute("aria-expanded", shown ? "true" : "false");
    }
    showNav(stored("portico.navHidden", "0") !== "1");
    tools.insertBefore(toggle, tools.firstChild);
    var items = Array.prototype.slice.call(nav.querySelectorAll("ul > li"));
    if (items.length > 30) {
      var depth = function (li) { return parseInt(li.style.getPropertyValue("--depth") || "0", 10); };
      items.forEach(function (li, i) {
        if (!li.classList.contains("section")) return;
        var d = depth(li), inside = [];
        for (var j = i + 1; j < items.length && depth(items[j]) > d; j++) inside.push(items[j]);
        if (!inside.length) return;
        var current = inside.some(function (x) { return x.classList.contains("current"); });
        var fold = button(li.textContent, li.textContent, function () {
          var open = fold.getAttribute("aria-expanded") !== "true";
          fold.setAttribute("aria-expanded", open ? "true" : "false");
          inside.forEach(function (x) { x.hidden = !open; });
        });
        fold.className = "nav-section";
        fold.setAttribute("aria-expanded", current ? "true" : "false");
        li.textContent = "";
        li.appendChild(fold);
        inside.forEach(function (x) { x.hidden = !current; });
      });
    }
  }
  if (!placed) main.insertBefore(tools, main.firstChild);

  // LightBox: an image in the page opens full size over it, by a click or
  // from the keyboard (Enter or Space on the focused image).
  article.addEventListener("click", function (e) {
    var img = e.target;
    if (!img || img.tagName !== "IMG" || img.closest("a")) return;
    zoom(img);
  });
  function zoom(img) {
    var box = document.createElement("div");
    box.className = "lightbox";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-label", img.alt || "Image");
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    var close = button("\u00d7", "Close", function () { done(); });
    close.className = "lightbox-close";
    box.appendChild(big);
    box.appendChild(close);
    function done() {
      document.removeEventListener("keydown", onKey);
      box.remove();
      img.focus && img.focus();
    }
    function onKey(k) { if (k.key === "Escape") done(); }
    box.addEventListener("click", function (c) { if (c.target === box || c.target === big) done(); });
    document.addEventListener("keydown", onKey);
    document.body.appendChild(box);
    close.focus();
  }
  Array.prototype.forEach.call(article.querySelectorAll("img"), function (img) {
    if (img.closest("a")) return;
    img.classList.add("zoomable");
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-label", "Enlarge the image" + (img.alt ? ": " + img.alt : ""));
    img.addEventListener("keydown", function (k) {
      if (k.key === "Enter" || k.key === " ") { k.preventDefault(); zoom(img); }
    });
  });

  // ReportIssue: the tracker found from the "Edit this page" link (GitHub's
  // /edit/ and GitLab's /-/edit/ addresses).
  var edit = document.querySelector("a.edit-page");
  var tracker = edit && issueTracker(edit.href);
  if (!tracker) return;
  var report = document.createElement("a");
  report.className = "report-issue";
  report.textContent = "Open new issue";
  report.target = "_blank";
  report.rel = "noopener";
  report.hidden = true;
  document.body.appendChild(report);
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    var text = sel && sel.rangeCount ? sel.toString().trim() : "";
    if (!text || !article.contains(sel.anchorNode) || !article.contains(sel.focusNode)) { report.hidden = true; return; }
    report.href = tracker(text);
    var rect = sel.getRangeAt(0).getBoundingClientRect();
    report.style.top = (window.scrollY + rect.bottom + 6) + "px";
    report.style.left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - 160)) + "px";
    report.hidden = false;
  });
  function issueTracker(href) {
    var url;
    try { url = new URL(href); } catch (e) { return null; }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    var m = url.pathname.match(/^(\/.+?)\/-\/(?:edit|blob)\/(.*)$/);
    var gitlab = !!m;
    if (!m) m = url.pathname.match(/^(\/[^/]+\/[^/]+)\/(?:edit|blob)\/(.*)$/);
    if (!m) return null;
    var repo = url.origin + m[1];
    var source = repo + (gitlab ? "/-/blob/" : "/blob/") + m[2];
    return function (text) {
      var quoted = text.length > 1000 ? text.slice(0, 1000) + "\u2026" : text;
      var title = "Documentation feedback: " + (quoted.length > 60 ? quoted.slice(0, 60) + "\u2026" : quoted);
      var body = quoted.split("\n").map(function (l) { return "> " + l; }).join("\n") +
        "\n\nPage: " + window.location.href.split("#")[0].replace(/^file:.*/, "(opened from a file)") +
        "\nSource: " + source + "\n\nFeedback:\n";
      if (gitlab) {
        return repo + "/-/issues/new?issue[title]=" + encodeURIComponent(title) + "&issue[description]=" + encodeURIComponent(body);
      }
      return repo + "/issues/new?title=" + encodeURIComponent(title) + "&body=" + encodeURIComponent(body);
    };
  }
})();

// Boxes that scroll sideways on a narrow screen (code, wide tables, graphs,
// the scorecard matrix) can be scrolled from the keyboard: focusable when,
// and only when, they overflow.
(function () {
  "use strict";
  var SCROLLERS = "pre, .highlighttable, .graph-wrap, .matrix, .tabbed-labels, .table-scroll, main table";
  function mark() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var style = getComputedStyle(box);
      var scrolls = /auto|scroll/.test(style.overflowX + style.overflowY) &&
        (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1);
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }
  mark();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
})();
