/* Country step of the request wizard: live filtering of the country list and the chosen
 * country's sender-ID support shown as soon as it is picked. Progressive enhancement only:
 * without JavaScript the search form and the "Show sender ID support" button do the same. */
(function () {
  "use strict";
  var select = document.getElementById("id_country-country");
  var panel = document.getElementById("country-details");
  var textsNode = document.getElementById("process-texts");
  if (!select || !panel || !textsNode) { return; }
  // The script does what these buttons do without it: they would only confuse.
  document.querySelectorAll(".no-js-only").forEach(function (node) { node.hidden = true; });
  var texts = JSON.parse(textsNode.textContent);
  var filter = document.getElementById("country-filter");

  function part(role) { return panel.querySelector('[data-role="' + role + '"]'); }
  function setText(role, value) {
    var node = part(role);
    if (!node) { return; }
    node.textContent = value || "";
    var row = part(role + "-row") || node;
    row.hidden = !value;
  }
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function showDetails() {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) { panel.hidden = true; return; }
    var process = option.dataset.process || "";
    var info = texts[process] || { label: process, text: "" };
    part("name").textContent = option.dataset.name || option.textContent;
    var badge = part("badge");
    badge.className = "badge " + process;
    badge.textContent = info.label;
    part("text").textContent = info.text;
    setText("regtype", option.dataset.registrationType);
    setText("est", option.dataset.est);
    setText("region", option.dataset.region);
    setText("notes", option.dataset.notes);
    var rules = part("rules");
    if (rules) { rules.hidden = true; }  // server-rendered for the previous choice only
    panel.hidden = false;
  }

  function applyFilter() {
    var query = fold(filter.value.trim());
    var visible = [];
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      if (!option.value) { continue; }
      var match = !query || fold(option.textContent).indexOf(query) !== -1 ||
        option.value.toLowerCase() === query;
      option.hidden = !match;
      if (match) { visible.push(option); }
    }
    if (visible.length === 1 && select.value !== visible[0].value) {
      select.value = visible[0].value;
      showDetails();
    }
  }

  select.addEventListener("change", showDetails);
  if (filter) {
    filter.addEventListener("input", applyFilter);
  }
})();
