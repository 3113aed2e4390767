// Behaviour every page shares, bound by data attributes: the Content-Security-Policy allows no inline
// script and no inline event handler (onclick=, onchange=), so pages ask for behaviour here instead.
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form (language, page size, court filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-print],[data-confirm]") : null;
    if (!el) return;
    // <button data-print>: print the page.
    if (el.hasAttribute("data-print")) { event.preventDefault(); window.print(); return; }
    // <button data-confirm="…">: ask before submitting.
    if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
  });
  // The handling form: only the fields the chosen kind needs (谈话 / 纠错 / 回告).
  document.querySelectorAll("form[data-handling-form]").forEach(function (form) {
    var kind = form.querySelector("[name=kind]");
    if (!kind) return;
    function show() {
      form.querySelectorAll("[data-kind]").forEach(function (el) {
        var k = el.getAttribute("data-kind");
        el.hidden = (k === "talk" && kind.value !== "talk") || (k === "order" && kind.value !== "order") || (k === "report" && kind.value === "talk");
      });
    }
    kind.addEventListener("change", show); show();
  });
})();
/* Small page helpers (served locally). Tables marked `hk-cards` become cards on a phone (see hkcourt.css):
   each body cell without a `data-label` gets its column's header text, so the card names every value. */
(function () {
  "use strict";
  document.querySelectorAll("table.hk-cards").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && heads[i] && !cell.hasAttribute("colspan")) cell.setAttribute("data-label", heads[i]);
      });
    });
  });
})();
