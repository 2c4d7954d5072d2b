/* The registration form's CONDITIONAL fields (templates/registrations/detail.html): show, hide and mark
   required or optional as the answers change. The rules come from the page's
   <script type="application/json" id="conditional-rules"> (json_script: data, not script); the
   markers' words from the form's data-label-required / data-label-optional, in the page's language. */
(function () {
  "use strict";
  var source = document.getElementById("conditional-rules");
  var form = document.getElementById("registration-form");
  if (!source || !form) { return; }
  var LABEL_REQUIRED = form.dataset.labelRequired || "", LABEL_OPTIONAL = form.dataset.labelOptional || "";
  // Mirrors registrations.definitions: first matching rule wins; unknown operators never hold.
  var rules = JSON.parse(source.textContent);
  function valueOf(path) {
    var out = [];
    form.querySelectorAll('[name="' + path + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.type === "file") { if (el.files.length) { out.push("<file>"); } return; }
      if (el.value) { out.push(el.value); }
    });
    var box = form.querySelector('[data-field-path="' + path + '"]');
    if (!out.length && box && box.dataset.hasAttachment) { out.push("<file>"); }
    return out;
  }
  function holds(c) {
    var v = valueOf(c.path), hit = v.some(function (x) { return c.values.indexOf(x) >= 0; });
    switch (c.operator) {
      case "HAS_VALUE": return v.length > 0;
      case "NO_VALUE": return v.length === 0;
      case "EQUALS": case "IN": return hit;
      case "NOT_EQUALS": case "NOT_IN": return !hit;
      default: return false;
    }
  }
  function apply() {
    Object.keys(rules).forEach(function (path) {
      var spec = rules[path], behavior = spec.default;
      for (var i = 0; i < spec.rules.length; i++) {
        if (spec.rules[i].conditions.every(holds)) { behavior = spec.rules[i].behavior; break; }
      }
      var box = form.querySelector('[data-field-path="' + path + '"]');
      if (!box) { return; }
      box.hidden = behavior === "DISALLOWED";
      box.dataset.behavior = behavior;
      var marker = box.querySelector(".opt-marker, .req-marker");
      if (marker) {
        marker.className = behavior === "REQUIRED" ? "req-marker" : "opt-marker";
        marker.textContent = behavior === "REQUIRED" ? LABEL_REQUIRED : LABEL_OPTIONAL;
      }
    });
  }
  form.addEventListener("change", apply);
  apply();
})();
