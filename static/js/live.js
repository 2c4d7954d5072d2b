/* Live pages: while a request can still change, ask its small JSON status every few seconds and,
   when it differs from what the page shows, fetch the page again and swap the parts marked
   [data-live] (status, next step, clocks, timeline) in place. Form fields the user is typing in are
   never touched. Without JavaScript a <noscript> meta refresh does the same, more bluntly. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) { return; }
  var url = root.dataset.liveUrl;
  var version = root.dataset.liveVersion;
  var base = Math.max(2, parseInt(root.dataset.liveSeconds, 10) || 15) * 1000;
  var delay = base;
  var timer = null;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, document.hidden ? Math.max(delay, 60000) : delay);
  }

  // A part with a field the user is typing in (focused, or changed) is left alone: nothing typed is lost.
  function busy(node) {
    if (node.contains(document.activeElement) && document.activeElement.form) { return true; }
    return Array.prototype.some.call(node.querySelectorAll("input, textarea, select"), function (f) {
      if (f.type === "checkbox" || f.type === "radio") { return f.checked !== f.defaultChecked; }
      if (f.tagName === "SELECT") {
        return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return f.value !== f.defaultValue;
    });
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live]").forEach(function (node) {
      var fresh = node.id && doc.getElementById(node.id);
      if (fresh && !busy(node)) { node.replaceWith(document.importNode(fresh, true)); }
    });
    var freshRoot = doc.querySelector("[data-live-url]");
    if (freshRoot) {
      root.dataset.liveSeconds = freshRoot.dataset.liveSeconds;
      base = Math.max(2, parseInt(freshRoot.dataset.liveSeconds, 10) || 15) * 1000;
    }
    var note = document.getElementById("live-note");
    if (note) { note.textContent = note.dataset.updated || ""; }
  }

  function check() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        delay = base;
        if (data.version === version) { return data; }
        version = data.version;
        return fetch(window.location.href, { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(swap)
          .then(function () { return data; });
      })
      .then(function (data) { if (data && data.live) { schedule(); } })
      .catch(function () { delay = Math.min(delay * 2, 120000); schedule(); });
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) { delay = base; schedule(); } });
  schedule();
})();
