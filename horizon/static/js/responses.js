// Autosave of questionnaire answers (templates/responses/includes/question_slot.html). htmx posts each question
// marked data-autosave when it changes and swaps the answer into the question's status region. This script lets
// htmx show the refusals too (409 conflict with a colleague, 422 invalid answer, 403 no longer editable) instead of
// dropping them, marks the inputs invalid or valid after each answer, and asks before leaving the page while a save
// is still on its way. Without it (or without JavaScript) the section's "Enregistrer" button saves everything.
(function () {
  "use strict";

  var REFUSALS = [403, 409, 422];
  var pending = 0;

  function questionOf(element) {
    return element instanceof Element ? element.closest("[data-autosave]") : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (questionOf(event.detail.elt) && REFUSALS.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var question = questionOf(event.detail.target);
    if (!question) return;
    var state = question.querySelector("[data-state]");
    var invalid = !!state && state.getAttribute("data-state") === "error";
    question.querySelectorAll("input:not([type=hidden]), textarea").forEach(function (input) {
      input.classList.toggle("is-invalid", invalid);
      if (invalid) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (questionOf(event.detail.elt)) pending += 1;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (questionOf(event.detail.elt)) pending = Math.max(0, pending - 1);
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
