// The risk list's bulk panel: show only the fields the chosen action needs; "select all" checkbox.
(function () {
  var form = document.getElementById("hk-bulk");
  if (!form) return;
  var action = form.querySelector("select[name=action]");
  function sync() {
    form.querySelectorAll("[data-bulk]").forEach(function (el) {
      el.hidden = !action || el.getAttribute("data-bulk") !== action.value;
    });
  }
  if (action) { action.addEventListener("change", sync); sync(); }
  var all = document.getElementById("hk-check-all");
  if (all) all.addEventListener("change", function () {
    form.querySelectorAll(".hk-row-check").forEach(function (c) { c.checked = all.checked; });
  });
})();
