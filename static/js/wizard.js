/* Country step of the request wizard: live filtering of the country list, the chosen country's
 * sender-ID support shown as soon as it is picked, and several countries chosen as chips ("Add
 * another country" adds the picked one, each chip's button removes it). Progressive enhancement
 * only: without JavaScript the search form and the same buttons do it with a round trip. */
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

  var chipsBox = document.getElementById("chosen-countries");
  var chips = document.getElementById("country-chips");
  var addButton = document.getElementById("add-country");

  function chipCount() {
    var count = chips.querySelectorAll(".chip").length;
    chipsBox.querySelector('[data-role="chip-count"]').textContent = String(count);
    chipsBox.hidden = count === 0;
    return count;
  }
  function hasChip(iso) { return !!chips.querySelector('.chip[data-iso="' + iso + '"]'); }
  function makeChip(iso, name, process) {
    var info = texts[process] || { label: process };
    var item = document.createElement("li");
    item.className = "chip";
    item.dataset.iso = iso;
    var input = document.createElement("input");
    input.type = "hidden"; input.name = select.name; input.value = iso;
    var label = document.createElement("span");
    label.className = "chip-name"; label.textContent = name;
    var badge = document.createElement("span");
    badge.className = "badge " + process; badge.textContent = info.label;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove"; remove.textContent = "\u00d7";
    remove.setAttribute("aria-label", (chipsBox.dataset.removeLabel || "Remove") + " " + name);
    item.append(input, label, " ", badge, " ", remove);
    return item;
  }
  function removeChip(item) {
    var next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    chipCount();
    // Keyboard users keep their place: the neighbouring chip's button, else the country list.
    (next ? next.querySelector(".chip-remove") : select).focus();
  }
  if (chips && addButton && chipsBox) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var option = select.options[select.selectedIndex];
      if (!option || !option.value) { select.focus(); return; }
      // The first country of a run sits in the list itself: it becomes a chip too.
      if (!hasChip(option.value)) {
        chips.appendChild(makeChip(option.value, option.dataset.name || option.textContent, option.dataset.process || ""));
      }
      select.value = "";
      panel.hidden = true;
      chipCount();
      select.focus();
    });
    chips.addEventListener("click", function (event) {
      var button = event.target.closest(".chip-remove");
      if (!button) { return; }
      event.preventDefault();
      removeChip(button.closest(".chip"));
    });
  }

  select.addEventListener("change", showDetails);
  if (filter) {
    filter.addEventListener("input", applyFilter);
  }
})();
