// Xietong pickers: the search field under a picker's <select> becomes a typeahead.
// Without JavaScript the form's search button does the same on the server (core.pickers).
(function () {
  "use strict";
  var DELAY = 250;

  function setUp(root) {
    if (root.getAttribute("data-xt-ready")) return;
    root.setAttribute("data-xt-ready", "1");
    var select = root.querySelector("select");
    var input = root.querySelector("[data-xt-picker-input]");
    var button = root.querySelector("[data-xt-picker-button]");
    var list = root.querySelector("[role=listbox]");
    if (!select || !input || !list) return;
    var listId = (select.id || "xt-picker") + "-options";
    list.id = listId;
    input.setAttribute("aria-controls", listId);
    select.hidden = true;
    if (button) button.hidden = true;
    var group = root.querySelector(".xt-picker-search");
    if (group) group.classList.remove("mt-1", "input-group-sm");  // it stands in the select's place
    if (!input.value) input.value = input.getAttribute("data-chosen") || "";
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }

    function choose(item) {
      var value = item.getAttribute("data-value");
      var label = item.textContent.trim();
      var found = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!found) {
        found = new Option(label, value);
        select.add(found);
      }
      select.value = value;
      input.value = label;
      input.setAttribute("data-chosen", label);
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var url = new URL(root.getAttribute("data-url"), window.location.href);
      url.searchParams.set("q", input.value);
      Array.prototype.forEach.call(root.attributes, function (attr) {
        if (attr.name.indexOf("data-param-") !== 0) return;
        var source = document.querySelector(attr.value);
        if (source && source.value) url.searchParams.set(attr.name.slice(11), source.value);
      });
      var ticket = ++asked;
      fetch(url.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (ticket !== asked) return;
          list.innerHTML = html;
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (!input.value.trim()) {
        if (select.value) {
          select.value = "";
          input.setAttribute("data-chosen", "");
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("focus", function () {
      if (list.hidden && !select.value) search();
    });
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("keydown", function (event) {
      var items = options();
      var current = items.indexOf(document.activeElement);
      if (event.key === "Enter") {
        event.preventDefault();
        if (!list.hidden && items.length) choose(items[0]);
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        list.hidden = false;
        items[0].focus();
      } else if (event.key === "Escape") {
        close();
      }
      void current;
    });
    list.addEventListener("keydown", function (event) {
      var items = options();
      var i = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < items.length - 1) { event.preventDefault(); items[i + 1].focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? items[i - 1] : input).focus(); }
      else if (event.key === "Enter" && i >= 0) { event.preventDefault(); choose(items[i]); input.focus(); }
      else if (event.key === "Escape") { close(); input.focus(); }
    });
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) choose(item);
    });
    document.addEventListener("click", function (event) {
      if (!root.contains(event.target)) {
        close();
        input.value = input.getAttribute("data-chosen") || "";
      }
    });
  }

  function setUpAll(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("[data-xt-picker]"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
// A filter bar's address carries the chosen id, not the picker's search text.
document.addEventListener("htmx:configRequest", function (event) {
  "use strict";
  if (event.detail.verb !== "get") return;
  var params = event.detail.parameters;
  Object.keys(params).forEach(function (key) {
    if (/__q$/.test(key) || key === "_pick") delete params[key];
  });
});
