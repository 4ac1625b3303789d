/* Tandem: small progressive enhancements. Every page works without this file.
 *
 * 1. <select multiple data-filterable> gets a labelled filter box above it and a live count.
 * 2. Forms (or their submit buttons) with data-confirm="…" ask before submitting.
 *
 * Translated strings come from data attributes on the nearest [data-filter-label] element
 * (rendered by templates/includes/field.html); English is the fallback.
 */
(function () {
  "use strict";

  var counter = 0;

  function fold(text) {
    // Case- and accent-insensitive matching: "Éclairage" matches "ecl".
    return (text || "")
      .toLocaleLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .trim();
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function enhanceFilterable(select) {
    if (select.dataset.filterEnhanced === "true") {
      return;
    }
    select.dataset.filterEnhanced = "true";
    counter += 1;
    if (!select.id) {
      select.id = "filterable-select-" + counter;
    }

    var host = select.closest("[data-filter-label]");
    var strings = {
      label: (host && host.dataset.filterLabel) || "Filter the list",
      count: (host && host.dataset.filterCount) || "{shown} of {total} shown",
      hint: (host && host.dataset.filterHint) || "Selected items stay visible."
    };

    // Options are detached rather than hidden: hiding <option>s is unreliable across browsers.
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (option) {
      return fold(option.textContent);
    });

    var wrapper = document.createElement("div");
    wrapper.className = "select-filter";

    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("aria-controls", select.id);

    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = strings.label;

    var count = document.createElement("p");
    count.className = "select-filter__count";
    count.id = select.id + "-filter-count";
    count.setAttribute("aria-live", "polite");
    count.setAttribute("aria-atomic", "true");
    input.setAttribute("aria-describedby", count.id);

    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(count);
    select.parentNode.insertBefore(wrapper, select);

    var announceTimer = null;

    function updateCount(shown) {
      var text = format(strings.count, { shown: shown, total: options.length });
      window.clearTimeout(announceTimer);
      // Wait for a pause in typing so screen readers are not flooded with announcements.
      announceTimer = window.setTimeout(function () {
        count.textContent = text;
      }, 350);
    }

    function apply() {
      var query = fold(input.value);
      var visible = [];
      options.forEach(function (option, index) {
        if (!query || option.selected || texts[index].indexOf(query) !== -1) {
          visible.push(option);
        }
      });
      var fragment = document.createDocumentFragment();
      visible.forEach(function (option) {
        fragment.appendChild(option);
      });
      // Remove the options that no longer match, then re-add the visible ones in order.
      options.forEach(function (option) {
        if (visible.indexOf(option) === -1 && option.parentNode) {
          option.parentNode.removeChild(option);
        }
      });
      select.appendChild(fragment);
      updateCount(visible.length);
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      // Enter in the filter box must not submit the whole form.
      if (event.key === "Enter") {
        event.preventDefault();
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });

    // Before the form is sent, put every option back so nothing is lost.
    if (select.form) {
      select.form.addEventListener("submit", function () {
        input.value = "";
        options.forEach(function (option) {
          select.appendChild(option);
        });
      });
    }

    count.textContent = format(strings.count, { shown: options.length, total: options.length });
  }

  function confirmBeforeSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  function init() {
    var selects = document.querySelectorAll("select[multiple][data-filterable]");
    Array.prototype.forEach.call(selects, enhanceFilterable);
  }

  // Capture phase, so the confirmation runs before any other submit handler.
  document.addEventListener("submit", confirmBeforeSubmit, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
