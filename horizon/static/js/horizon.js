// Horizon ESS: small behaviours hooked on data-* attributes. No framework, no external script.
(function () {
  "use strict";

  // Move focus to the error summary of a form that came back with errors.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  // data-autosubmit: submit the GET filter form when a select changes (htmx then swaps the results).
  function bindAutosubmit(root) {
    (root || document).querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.requestSubmit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    bindAutosubmit(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    bindAutosubmit(event.target);
  });
})();
