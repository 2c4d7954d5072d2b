/* The error summary (templates/_error_summary.html): focus it when the page loads, so a failed
 * submit of a long form starts at the list of problems; each link then moves focus to its field and
 * scrolls the field's label into view (a plain fragment jump scrolls but leaves focus behind).
 * Progressive enhancement only: without JavaScript the links are ordinary anchors. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    event.preventDefault();
    if (target.tabIndex < 0 && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    var box = target.closest("[data-field-path]") || target;
    box.scrollIntoView({block: "start"});
    target.focus({preventScroll: true});
  });
}());
