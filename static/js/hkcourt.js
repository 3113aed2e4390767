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
