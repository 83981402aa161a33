// The new-opening form: the framework and role profile lists show what the chosen challenge
// offers (its kits, its profiles); the server checks the same (Opening.clean, the form).
(function () {
  "use strict";
  var data = document.getElementById("challenge-catalog");
  var challenge = document.getElementById("id_challenge");
  var framework = document.getElementById("id_framework");
  var profile = document.getElementById("id_role_profile");
  if (!data || !challenge || !framework) {
    return;
  }
  var catalog = JSON.parse(data.textContent);

  function filter(select, allowed, keep) {
    if (!select) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      var shown = keep.indexOf(option.value) >= 0 || allowed.indexOf(option.value) >= 0;
      option.hidden = !shown;
      option.disabled = !shown;
    });
    if (keep.length && select.selectedOptions.length && select.selectedOptions[0].disabled) {
      select.value = keep[0];
    }
  }

  function update() {
    var entry = catalog[challenge.value] || {kits: [], profiles: []};
    var kits = entry.kits || [];
    // one kit or none: no choice to make; several: one must be chosen
    filter(framework, kits.length > 1 ? kits : [], kits.length > 1 ? [] : [""]);
    if (kits.length > 1 && !framework.value) {
      framework.value = kits[0];
    }
    framework.closest(".field").hidden = kits.length <= 1;
    filter(profile, entry.profiles || [], ["", "none"]);
  }
  challenge.addEventListener("change", update);
  update();
}());
