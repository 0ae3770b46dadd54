// Live reload for `portico serve` (never part of a built site): reloads the
// page when a build changed it (or a stylesheet, script or image), keeping
// the scroll position, and shows the last build's errors over the page.
(function () {
  "use strict";
  // The id of the announcement of the site this page is from: the server
  // tells the page what changed after it, however late its stream opens.
  var script = document.currentScript;
  var seen = (script && script.getAttribute("data-since")) || "";

  // Where the reader was, until they scroll themselves. A page shorter
  // for a moment (a save built half-written, a section being rewritten)
  // cannot scroll that far; the next reload goes back to it all the same.
  var scrollKey = "portico-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  var wanted = null;
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    wanted = Number(saved);
    // Where this script last put the page: a scroll elsewhere is the
    // reader's (a scrollbar dragged, the find bar), and ends the wait.
    var placed = null;
    var restore = function () {
      if (wanted === null) return;
      window.scrollTo(0, wanted);
      placed = window.scrollY;
    };
    restore();
    window.addEventListener("load", function () {
      restore();
      if (wanted !== null && Math.abs(window.scrollY - wanted) < 1) wanted = null;
      window.addEventListener("scroll", function () {
        if (placed !== null && Math.abs(window.scrollY - placed) >= 1) wanted = null;
      }, { passive: true });
    });
    var scrolledByReader = function () { wanted = null; };
    ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (type) {
      window.addEventListener(type, scrolledByReader, { passive: true });
    });
  }

  function pagePath() {
    var path = decodeURIComponent(location.pathname).replace(/^\//, "");
    if (path === "" || path.charAt(path.length - 1) === "/") path += "index.html";
    return path;
  }

  // A reload of this script's own restores the place itself: the
  // browser's restoring, after the page loads, would put back where a
  // shorter page left off. Any other leaving (the reader's own reload, a
  // link) is the browser's to restore, as on any page.
  var reloading = false;
  function reload() {
    reloading = true;
    sessionStorage.setItem(scrollKey, String(wanted !== null ? wanted : window.scrollY));
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    location.reload();
  }
  window.addEventListener("pagehide", function () {
    if (!reloading && "scrollRestoration" in history) history.scrollRestoration = "auto";
  });

  // What a page may load besides itself: stylesheets, scripts, images
  // and fonts. Data files (catalog.json, a site's techdocs_metadata.json)
  // and sources are not shown by any page; the search index is read by
  // the search box only when asked.
  var PAGE_ASSET = /\.(css|js|mjs|png|jpe?g|gif|svg|webp|avif|ico|bmp|woff2?|ttf|otf)$/i;

  function affectsThisPage(changed) {
    if (changed === "*") return true;
    var here = pagePath();
    for (var i = 0; i < changed.length; i++) {
      var path = changed[i];
      if (path === here) return true;
      if (PAGE_ASSET.test(path) && path.indexOf("_search/") !== 0) return true;
    }
    return false;
  }

  function showProblems(problems) {
    var old = document.getElementById("portico-problems");
    if (old) old.remove();
    if (!problems.length) return;
    var seen = JSON.stringify(problems);
    if (sessionStorage.getItem("portico-problems-closed") === seen) return;
    var box = document.createElement("aside");
    box.id = "portico-problems";
    box.setAttribute("role", "status");
    box.setAttribute("style", "position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-height:40vh;overflow:auto;" +
      "background:#fff5f5;color:#3b0d0d;border:2px solid #c62828;border-radius:6px;padding:.75rem 1rem;font:14px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.25)");
    var title = document.createElement("strong");
    title.textContent = problems.length === 1 ? "1 error in the last build" : problems.length + " errors in the last build";
    box.appendChild(title);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.setAttribute("style", "float:right");
    close.addEventListener("click", function () {
      sessionStorage.setItem("portico-problems-closed", seen);
      box.remove();
    });
    box.appendChild(close);
    var list = document.createElement("ul");
    list.setAttribute("style", "margin:.5rem 0 0;padding-left:1.2rem");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var place = p.path ? p.path + (p.line ? ":" + p.line + ":" + Math.max(p.column, 1) : "") : p.repo;
      var where = document.createElement("code");
      where.textContent = place;
      item.appendChild(where);
      item.appendChild(document.createTextNode(" " + p.message + " [" + p.code + "]"));
      if (p.hint) {
        var hint = document.createElement("div");
        hint.textContent = "help: " + p.hint;
        hint.setAttribute("style", "opacity:.8");
        item.appendChild(hint);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }

  // Whatever arrives last wins: a fetch answered after a newer event (or
  // after a newer fetch) is out of date and dropped.
  var asked = 0;
  function loadProblems() {
    var ticket = ++asked;
    fetch("/__portico/problems.json", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (problems) { if (ticket === asked) showProblems(problems); })
      .catch(function () {});
  }

  // One event stream while the page is shown. A browser opens at most 6
  // connections to one server, and every stream holds one: with a stream
  // per open tab, a 7th tab never loaded. A hidden page closes its stream;
  // shown again, it opens one from the last announcement it was told of,
  // and is told first what changed meanwhile. (A stream that drops
  // reconnects by itself, its browser sending that id back.)
  var source = null;

  function listen() {
    if (source) return;
    source = new EventSource("/__portico/events?since=" + encodeURIComponent(seen));
    source.onmessage = function (event) {
      if (event.lastEventId) seen = event.lastEventId;
      var message = JSON.parse(event.data);
      if (affectsThisPage(message.changed)) {
        reload();
        return;
      }
      // What the page was told and stayed for (a look in the inspector
      // shows it; the tests wait for it).
      document.documentElement.setAttribute("data-portico-seen", seen);
      if (message.problems) {
        asked++;
        showProblems(message.problems);
      }
    };
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (source) {
        source.close();
        source = null;
      }
    } else {
      listen();
    }
  });

  // A tab opened in the background listens once shown (it is told then
  // what changed since its page), so it holds no connection meanwhile.
  function start() {
    loadProblems();
    if (document.visibilityState !== "hidden") listen();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
