// Accessible autocomplete (ARIA 1.2 combobox with a listbox) for the widgets marked data-autocomplete, such as
// territories/widgets/commune_autocomplete.html. htmx fetches the options into the listbox; this script sends the
// typed text as ?q=, opens and closes the list, moves through it with the arrow keys (aria-activedescendant),
// picks with Enter or a click and closes with Escape. Picking fills the hidden input with the option's
// data-value; typing empties it. Without this script, the form posts the typed text and the server reads it.
(function () {
  "use strict";

  var OPTION = '[role="option"]:not([aria-disabled="true"])';

  function widgetOf(element) {
    var root = element.closest("[data-autocomplete]");
    if (!root) return null;
    return {
      input: root.querySelector("[data-autocomplete-input]"),
      value: root.querySelector("[data-autocomplete-value]"),
      listbox: root.querySelector("[data-autocomplete-listbox]"),
    };
  }

  function inputWidget(event) {
    var target = event.target;
    return target instanceof Element && target.matches("[data-autocomplete-input]") ? widgetOf(target) : null;
  }

  function options(widget) {
    return Array.prototype.slice.call(widget.listbox.querySelectorAll(OPTION));
  }

  function activeOption(widget) {
    return widget.listbox.querySelector('[aria-selected="true"]');
  }

  function setActive(widget, active) {
    options(widget).forEach(function (option) {
      option.setAttribute("aria-selected", option === active ? "true" : "false");
      option.classList.toggle("active", option === active);
    });
    if (active) {
      widget.input.setAttribute("aria-activedescendant", active.id);
      active.scrollIntoView({ block: "nearest" });
    } else {
      widget.input.removeAttribute("aria-activedescendant");
    }
  }

  function open(widget) {
    widget.listbox.hidden = false;
    widget.input.setAttribute("aria-expanded", "true");
  }

  function close(widget) {
    setActive(widget, null);
    widget.listbox.hidden = true;
    widget.input.setAttribute("aria-expanded", "false");
  }

  function move(widget, step) {
    var list = options(widget);
    if (!list.length) return;
    open(widget);
    var index = list.indexOf(activeOption(widget));
    if (index === -1) {
      index = step > 0 ? 0 : list.length - 1;
    } else {
      index = (index + step + list.length) % list.length;
    }
    setActive(widget, list[index]);
  }

  function choose(widget, option) {
    widget.input.value = option.textContent.trim();
    widget.value.value = option.dataset.value;
    close(widget);
    widget.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // htmx would send the input under its own name: the options view reads ?q=.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!(input instanceof Element) || !input.matches("[data-autocomplete-input]")) return;
    event.detail.parameters.delete(input.name);
    event.detail.parameters.set("q", input.value);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.detail.target;
    if (!(listbox instanceof Element) || !listbox.matches("[data-autocomplete-listbox]")) return;
    var widget = widgetOf(listbox);
    var focused = document.activeElement === widget.input;
    if (focused && widget.input.value.trim() && listbox.children.length) {
      setActive(widget, null);
      open(widget);
    } else {
      close(widget);
    }
  });

  document.addEventListener("input", function (event) {
    var widget = inputWidget(event);
    if (!widget) return;
    widget.value.value = ""; // the text no longer names the chosen option
    if (!widget.input.value.trim()) close(widget);
  });

  document.addEventListener("keydown", function (event) {
    var widget = inputWidget(event);
    if (!widget) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(widget, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && !widget.listbox.hidden && activeOption(widget)) {
      event.preventDefault(); // pick, do not submit the form
      choose(widget, activeOption(widget));
    } else if (event.key === "Escape" && !widget.listbox.hidden) {
      event.preventDefault();
      close(widget);
    }
  });

  // Clicking an option must not take the focus from the input (which would close the list first).
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-autocomplete-listbox]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target instanceof Element ? event.target.closest("[data-autocomplete-listbox] " + OPTION) : null;
    if (option) choose(widgetOf(option), option);
  });

  document.addEventListener("focusout", function (event) {
    var widget = inputWidget(event);
    if (widget) close(widget);
  });
})();
