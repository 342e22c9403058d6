// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Close an open menu when the user clicks elsewhere or presses Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  });

  // A form marked data-submit-once ignores a second submit (double clicks); the
  // server is still the one that guarantees a single result.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once")) return;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    form.setAttribute("aria-busy", "true");
  });

  // Contract forms: show only the fields the chosen contract type uses.
  function syncContractFields(select) {
    var form = select.form;
    var chosen = select.value;
    form.querySelectorAll("[data-types]").forEach(function (field) {
      var types = field.getAttribute("data-types").split(" ");
      field.hidden = types.indexOf(chosen) === -1;
    });
  }
  function initContractForms() {
    document.querySelectorAll("select[data-contract-type]").forEach(function (select) {
      syncContractFields(select);
      select.addEventListener("change", function () { syncContractFields(select); });
    });
  }

  // SLA step: show the new-policy fields only when "add a new policy" is chosen.
  function initSlaChoice() {
    document.querySelectorAll("[data-sla-mode]").forEach(function (group) {
      var panel = document.getElementById(group.getAttribute("data-sla-mode"));
      var existing = document.getElementById(group.getAttribute("data-sla-existing"));
      if (!panel) return;
      function sync() {
        var checked = group.querySelector("input:checked");
        var adding = Boolean(checked) && checked.value === "new";
        panel.hidden = !adding;
        if (existing) existing.hidden = adding;
      }
      group.addEventListener("change", sync);
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initContractForms();
    initSlaChoice();
  });
})();
