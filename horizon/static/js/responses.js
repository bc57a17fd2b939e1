// Autosave of questionnaire answers (templates/responses/includes/question_slot.html). htmx posts each question
// marked data-autosave when it changes and swaps the answer into the question's status region. This script lets
// htmx show the refusals too (409 conflict with a colleague, 422 invalid answer, 403 no longer editable) instead of
// dropping them, marks the inputs invalid or valid after each answer, and asks before leaving the page while a save
// is still on its way. Without it (or without JavaScript) the section's "Enregistrer" button saves everything.
//
// Documents attached to answers (templates/responses/includes/attachments.html): a chosen file is sent at once (the
// "Joindre le document" button, needed without JavaScript, is then hidden), the form is emptied after each answer,
// refusals (422, 403) are shown like successes, and a request that fails outright is said in the status region.
(function () {
  "use strict";

  var REFUSALS = [403, 409, 422];
  var ATTACHMENT_REFUSALS = [403, 422];
  var pending = 0;

  function questionOf(element) {
    return element instanceof Element ? element.closest("[data-autosave]") : null;
  }

  function attachmentActionOf(element) {
    return element instanceof Element ? element.closest("[data-attachment-action]") : null;
  }

  // The element that made the request: swap events are fired on their target, not on it.
  function requester(event) {
    return event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
  }

  // The question's name of an attachment action: its form is "attach-<name>" or "detach-<name>".
  function attachmentStatus(action) {
    var form = action.tagName === "FORM" ? action : action.form;
    if (!form || !form.id) return null;
    return document.getElementById("attachment-status-" + form.id.slice(form.id.indexOf("-") + 1));
  }

  function say(region, message) {
    if (!region) return;
    var span = document.createElement("span");
    span.className = "text-danger";
    span.setAttribute("data-state", "error");
    span.textContent = message;
    region.replaceChildren(span);
  }

  function hideSubmitButtons(root) {
    (root || document).querySelectorAll("[data-attachment-submit]").forEach(function (button) {
      button.hidden = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    hideSubmitButtons(document);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-attachment-input")) return;
    if (input.form && input.files && input.files.length > 0) input.form.requestSubmit();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var swappable =
      (questionOf(event.detail.elt) && REFUSALS.indexOf(status) !== -1) ||
      (attachmentActionOf(requester(event)) && ATTACHMENT_REFUSALS.indexOf(status) !== -1);
    if (swappable) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    hideSubmitButtons(event.detail.target);
    if (attachmentActionOf(requester(event))) {
      // The removed document's button had the focus: give it to the list rather than to the page.
      if (!document.activeElement || document.activeElement === document.body) event.detail.target.focus();
      return;
    }
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

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    hideSubmitButtons(event.detail.target);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (questionOf(event.detail.elt) || attachmentActionOf(event.detail.elt)) pending += 1;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (questionOf(elt) || attachmentActionOf(elt)) pending = Math.max(0, pending - 1);
    if (attachmentActionOf(elt) && elt.tagName === "FORM") elt.reset();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var action = attachmentActionOf(event.detail.elt);
    if (!action) return;
    var status = event.detail.xhr.status;
    var message = "La demande n'a pas abouti. Réessayez dans un instant.";
    if (status === 404) message = "Ce document n'existe plus : il a peut-être déjà été retiré. Rechargez la page.";
    if (status === 413) message = "Le fichier est trop lourd pour être envoyé.";
    say(attachmentStatus(action), message);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var action = attachmentActionOf(event.detail.elt);
    if (action) say(attachmentStatus(action), "Le document n'a pas pu être envoyé : vérifiez votre connexion et réessayez.");
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
