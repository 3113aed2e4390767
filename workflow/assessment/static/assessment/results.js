/* The questionnaire results' charts: ECharts served locally, one small bar chart per item beside the table
   that holds the same figures. Labels are drawn as chart text, never as HTML (they are user data). */
(function () {
  "use strict";
  var node = document.getElementById("hk-survey-charts");
  if (!node || typeof echarts === "undefined") return;
  var charts = JSON.parse(node.textContent);
  var css = getComputedStyle(document.documentElement);
  var MAIN = (css.getPropertyValue("--hk-red") || "").trim() || "#9b1c1c";
  var drawn = [];
  charts.forEach(function (c) {
    var el = document.querySelector('[data-chart="' + c.id + '"]');
    if (!el) return;
    var rating = c.kind === "rating";
    el.style.height = (rating ? 180 : Math.max(120, 34 * c.labels.length + 30)) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    var category = { type: "category", data: c.labels, inverse: !rating, axisLabel: { width: 180, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "inherit" },
      grid: { left: 8, right: 36, top: rating ? 24 : 10, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", renderMode: "richText" },
      xAxis: rating ? category : value,
      yAxis: rating ? value : category,
      series: [{ type: "bar", data: c.values, barMaxWidth: 28, itemStyle: { color: MAIN },
        label: { show: true, position: rating ? "top" : "right" } }]
    });
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (ch) { ch.resize(); }); });
})();
