// Xietong web UI: confirmations for irreversible steps, select-all in lists; nothing else
// is needed without htmx. No page has inline script (the CSP allows none without a nonce).
(function () {
  "use strict";
  // A form (or the button that sends it) with data-confirm="question" asks first, in the
  // page's <dialog id="xt-confirm"> (its buttons translated by the template); the form is
  // sent only on "Confirm". Without <dialog> support the browser's own confirm() asks.
  function confirmed(form, submitter) {
    form.setAttribute("data-xt-confirmed", "1");
    if (form.requestSubmit) form.requestSubmit(submitter || null);
    else form.submit();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) return;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (!question) return;
    if (form.getAttribute("data-xt-confirmed") === "1") {
      form.removeAttribute("data-xt-confirmed");
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var dialog = document.getElementById("xt-confirm");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(question)) confirmed(form, submitter);
      return;
    }
    dialog.querySelector("[data-confirm-text]").textContent = question;
    dialog.returnValue = "";
    dialog.onclose = function () {
      dialog.onclose = null;
      if (dialog.returnValue === "ok") confirmed(form, submitter);
    };
    dialog.showModal();
  }, true);
  // Lists with row checkboxes: a header box [data-select-all] ticks every row box of its
  // form ([name=ids]); [data-selected-count] shows how many are ticked.
  function count(form) {
    var n = form.querySelectorAll("input[name=ids]:checked").length;
    form.querySelectorAll("[data-selected-count]").forEach(function (el) {
      el.textContent = String(n);
    });
    var all = form.querySelector("[data-select-all]");
    var boxes = form.querySelectorAll("input[name=ids]");
    if (all) {
      all.checked = boxes.length > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    var form = box && box.form;
    if (!form) return;
    if (box.hasAttribute("data-select-all")) {
      form.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = box.checked; });
      count(form);
    } else if (box.name === "ids") {
      count(form);
    }
  });
  // Filter forms: leave empty fields out of the address htmx pushes (?area=131082, not ?q=&area=…).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Array.from(Object.keys(params)).forEach(function (key) {
      if (params[key] === "") delete params[key];
    });
  });
  // Copy buttons (the API token shown once).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.classList.add("btn-success");
    }
  });
})();
