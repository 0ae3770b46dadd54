// Live reload for `portico serve` (never part of a built site): reloads the
// page when a build changed it (or a stylesheet, script or image), keeping
// the scroll position, and shows the last build's errors over the page.
(function () {
  "use strict";
  var scrollKey = "portico-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, Number(saved)); };
    restore();
    window.addEventListener("load", restore);
  }

  function pagePath() {
    var path = decodeURIComponent(location.pathname).replace(/^\//, "");
    if (path === "" || path.charAt(path.length - 1) === "/") path += "index.html";
    return path;
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function affectsThisPage(changed) {
    if (changed === "*") return true;
    var here = pagePath();
    for (var i = 0; i < changed.length; i++) {
      var path = changed[i];
      if (path === here) return true;
      // Stylesheets, scripts and images may be used by any page; the
      // search index only by the search box, which reads it when asked.
      if (!/\.html$/.test(path) && path.indexOf("_search/") !== 0) return true;
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

  function listen() {
    var source = new EventSource("/__portico/events");
    source.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (affectsThisPage(message.changed)) {
        reload();
      } else if (message.problems) {
        asked++;
        showProblems(message.problems);
      }
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { loadProblems(); listen(); });
  } else {
    loadProblems();
    listen();
  }
})();
