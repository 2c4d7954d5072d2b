/* Release page: enable "Release sender ID" as soon as the word is typed. Progressive enhancement
 * only: the server checks the word on every POST, and without JavaScript "Check the word" does
 * the same round trip. */
(function () {
  "use strict";
  var form = document.getElementById("release-form");
  if (!form) { return; }
  var input = form.querySelector("input[name='confirmation']");
  var button = document.getElementById("release-button");
  var check = document.getElementById("check-button");
  if (!input || !button) { return; }
  var word = button.getAttribute("data-word");
  function update() { button.disabled = input.value.trim() !== word; }
  if (check) { check.remove(); }
  input.addEventListener("input", update);
  update();
}());
