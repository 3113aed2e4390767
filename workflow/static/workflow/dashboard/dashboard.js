/* The dashboard's charts: drawn with the locally served ECharts from the JSON endpoint; every bar, slice and
   cell navigates to the filtered list behind it (the `url` each data item carries). The tables beside the
   charts hold the same figures for print and screen readers. */
(function () {
  "use strict";
  var script = document.currentScript;
  var printing = script.dataset.print === "1";
  var css = getComputedStyle(document.documentElement);
  function v(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
  var GRADE = { high: v("--hk-grade-high", "#c62828"), medium: v("--hk-grade-medium", "#ef8f00"), low: v("--hk-grade-low", "#2e7d32") };
  var WARN = { red: v("--hk-warn-red", "#d32f2f"), orange: v("--hk-warn-orange", "#f57c00"), yellow: v("--hk-warn-yellow", "#f9a825") };
  var MAIN = v("--hk-red", "#9b1c1c");
  var GREY = "#9e9e9e";
  var charts = [];

  function rgba(hex, alpha) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h.split("").map(function (c) { return c + c; }).join("");
    var n = parseInt(h, 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha.toFixed(2) + ")";
  }

  function el(name) { return document.querySelector('[data-chart="' + name + '"]'); }

  function draw(name, option) {
    var node = el(name);
    if (!node) return null;
    var chart = echarts.init(node, null, { renderer: "svg" });
    option.animation = !printing;
    // Tooltips as chart text, never HTML: names and titles come from user-entered data.
    if (option.tooltip) option.tooltip.renderMode = "richText";
    option.textStyle = { fontFamily: "inherit" };
    chart.setOption(option);
    chart.on("click", function (p) {
      var url = p.data && p.data.url;
      if (url) window.location.href = url;
    });
    charts.push(chart);
    return chart;
  }

  function bars(name, items, opts) {
    opts = opts || {};
    var shown = items.filter(function (x) { return !opts.skipZero || x.n; });
    return draw(name, {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: opts.horizontal ? { type: "value", minInterval: 1 } : { type: "category", data: shown.map(function (x) { return x.label; }), axisLabel: { interval: 0, rotate: shown.length > 4 ? 30 : 0 } },
      yAxis: opts.horizontal ? { type: "category", inverse: true, data: shown.map(function (x) { return x.label; }) } : { type: "value", minInterval: 1 },
      series: [{ type: "bar", label: { show: true, position: opts.horizontal ? "right" : "top" },
        data: shown.map(function (x) { return { value: x.n, url: x.url, itemStyle: { color: opts.color ? opts.color(x) : MAIN }, cursor: x.url ? "pointer" : "default" }; }) }]
    });
  }

  function render(d) {
    var r = d.risks;
    draw("grades", {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "70%"], label: { formatter: "{b} {c}" },
        data: r.grades.map(function (x) { return { name: x.label, value: x.n, url: x.url, itemStyle: { color: GRADE[x.key] } }; })
          .concat(r.ungraded ? [{ name: "未评级", value: r.ungraded, itemStyle: { color: GREY } }] : []) }]
    });
    bars("levels", r.levels);
    bars("sources", r.sources);
    bars("states", r.states, { skipZero: true });
    bars("areas", r.areas, { horizontal: true, skipZero: true });
    bars("key_links", r.key_links, { horizontal: true });

    // Heat map: division × grade, cells coloured by their grade, shade by count.
    var hm = d.heatmap.slice(0, printing ? 18 : 40);
    var multi = d.filters.courts.length > 1;
    var names = hm.map(function (h) { return (multi ? h.court + "·" : "") + h.division; });
    var cells = [];
    var max = 1;
    hm.forEach(function (h, row) {
      h.cells.forEach(function (c, col) {
        max = Math.max(max, c.n);
        cells.push({ value: [col, row, c.n], url: c.n ? c.url : null, grade: c.grade });
      });
    });
    draw("heatmap", {
      tooltip: { formatter: function (p) { return names[p.value[1]] + " · " + ["高", "中", "低"][p.value[0]] + "：" + p.value[2]; } },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", position: "top", data: ["高", "中", "低"], splitArea: { show: true } },
      yAxis: { type: "category", inverse: true, data: names, axisLabel: { interval: 0, fontSize: 11 } },
      series: [{ type: "heatmap", label: { show: true },
        data: cells.map(function (c) {
          var alpha = c.value[2] ? 0.25 + 0.75 * c.value[2] / max : 0.04;
          return { value: c.value, url: c.url, itemStyle: { color: rgba(GRADE[c.grade], alpha), borderColor: "#fff", borderWidth: 1 },
            label: { color: alpha > 0.6 ? "#fff" : "#222", textBorderWidth: 0 } };
        }) }]
    });

    var major = d.major;
    draw("major", {
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      series: [{ type: "pie", radius: ["35%", "70%"], label: { formatter: "{b} {c}" },
        data: major.grades.map(function (x) { return { name: x.label, value: x.n, url: x.url, itemStyle: { color: GRADE[x.grade] } }; })
          .concat(major.ungraded ? [{ name: "未评级", value: major.ungraded, itemStyle: { color: GREY } }] : []) }]
    });

    // Responsible leaders' loads, stacked by grade.
    var leaders = d.leaders.slice(0, 20);
    draw("leaders", {
      tooltip: { trigger: "axis" },
      legend: { data: ["高", "中", "低"], top: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: leaders.map(function (x) { return x.leader; }), axisLabel: { interval: 0, rotate: leaders.length > 8 ? 35 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: ["high", "medium", "low"].map(function (g, i) {
        return { name: ["高", "中", "低"][i], type: "bar", stack: "g", itemStyle: { color: GRADE[g] },
          data: leaders.map(function (x) { return x.grades[i].n; }) };
      })
    });

    // Campaign tasks: completion per task.
    var tasks = d.campaign ? d.campaign.tasks.filter(function (t) { return t.total; }) : [];
    if (tasks.length) {
      draw("tasks", {
        tooltip: { trigger: "item", formatter: function (p) { var t = tasks[p.dataIndex]; return t.title + "：" + t.done + "/" + t.total; } },
        grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: tasks.map(function (t) { return t.title; }), axisLabel: { width: 160, overflow: "truncate" } },
        series: [{ type: "bar", label: { show: true, position: "right", formatter: "{c}%" },
          data: tasks.map(function (t) {
            var late = t.overdue && t.percent < 100;
            return { value: t.percent, url: t.url, itemStyle: { color: t.percent >= 100 ? GRADE.low : late ? WARN.red : WARN.orange } };
          }) }]
      });
    }

    // Coverage per court: staff and divisions with confirmed points.
    var courts = d.coverage.courts;
    draw("coverage", {
      tooltip: { trigger: "axis" },
      legend: { data: ["干警覆盖率", "庭室覆盖率"], top: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: courts.map(function (c) { return c.court; }), axisLabel: { interval: 0, rotate: courts.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "干警覆盖率", type: "bar", itemStyle: { color: MAIN }, data: courts.map(function (c) { return { value: c.percent, url: c.url }; }) },
        { name: "庭室覆盖率", type: "bar", itemStyle: { color: GREY }, data: courts.map(function (c) { return { value: c.divisions_percent, url: c.url }; }) }
      ]
    });

    // Letters per division: signed and outstanding.
    if (d.letters) {
      var ls = d.letters.divisions.slice(0, printing ? 18 : 40);
      var lnames = ls.map(function (x) { return (multi && x.court ? x.court + "·" : "") + x.division; });
      draw("letters", {
        tooltip: { trigger: "axis" },
        legend: { data: ["已签", "未签"], top: 0 },
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: lnames, axisLabel: { interval: 0, fontSize: 11 } },
        series: [
          { name: "已签", type: "bar", stack: "s", itemStyle: { color: GRADE.low }, data: ls.map(function (x) { return { value: x.signed, url: x.url }; }) },
          { name: "未签", type: "bar", stack: "s", itemStyle: { color: WARN.orange }, data: ls.map(function (x) { return { value: x.outstanding, url: x.url }; }) }
        ]
      });
    }

    if (d.control) {
      bars("control", d.control.statuses);
    }
    var o = d.oversight;
    if (o && o.warnings) {
      var states = o.warnings.states;
      draw("warnings", {
        tooltip: { trigger: "item" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: states.map(function (s) { return s.label; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: o.warnings.levels.map(function (lv) {
          return { name: lv.label, type: "bar", stack: "w", itemStyle: { color: WARN[lv.key] },
            data: lv.cells.map(function (c) { return { value: c.n, url: c.url }; }) };
        })
      });
    }
    if (o && o.signals && o.signals.months.length) {
      var palette = ["#9b1c1c", "#5470c6", "#91cc75", "#fac858", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc", "#6e7074", "#b6a2de"];
      draw("signals", {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: o.signals.months },
        yAxis: { type: "value", minInterval: 1 },
        series: o.signals.channels.filter(function (c) { return c.n; }).map(function (c, i) {
          return { name: c.label, type: "bar", stack: "s", itemStyle: { color: palette[i % palette.length] },
            data: c.months.map(function (n) { return { value: n, url: c.url }; }) };
        })
      });
    }
    if (printing) setTimeout(function () { document.body.dataset.ready = "1"; }, 50);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  if (window.matchMedia) {
    window.matchMedia("print").addEventListener("change", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  // The page carries its figures inline (one request for the whole dashboard); the JSON endpoint serves
  // the same payload to pages that do not.
  var inline = document.getElementById("hk-dashboard-data");
  if (inline) {
    render(JSON.parse(inline.textContent));
  } else {
    fetch(script.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { if (!res.ok) throw new Error(res.status); return res.json(); })
      .then(render)
      .catch(function (err) {
        document.querySelectorAll(".hk-chart").forEach(function (n) { n.style.display = "none"; });
        if (window.console) console.warn("dashboard data", err);
      });
  }
})();
