/* Case text page: one-click copy of the prepared text. Progressive enhancement only: the text is in
 * read-only text areas, readable and selectable without JavaScript; the buttons appear when the
 * clipboard can be written. */
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  var done = document.querySelector(".copy-done");
  document.querySelectorAll(".copy-button").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        if (done) { done.hidden = false; }
      }, function () {
        source.select();
      });
    });
  });
}());
