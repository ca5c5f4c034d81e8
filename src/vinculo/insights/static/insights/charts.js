/* Insights charts, drawn with Apache ECharts through the shared set-up (web/charts.js) from the
   numbers the page gives in #insights-data (json_script: plain numbers and ISO days). The
   overview's cards get a sparkline ([data-sparkline]); a KPI page its series (#series-chart,
   the previous period dashed beside it) and its groups (#groups-chart). Numbers and days are
   formatted here, in the page's language; the tables beside the charts say the same in words.
   Tooltips are drawn on the canvas (renderMode "richText"): an HTML tooltip would carry style
   attributes the Content-Security-Policy refuses. */
(function () {
  "use strict";

  /* The shared set-up (web/charts.js): the ECharts instance with its locale and resizing, the
     number formats and the buckets' labels, the same on every screen. */
  var shared = window.VinculoCharts;
  if (!shared) return;
  var ACCENT = shared.ACCENT;
  var PREVIOUS = shared.PREVIOUS;
  var onReady = shared.onReady;
  var formatter = shared.formatter;
  var bucketLabel = shared.bucketLabel;
  var init = shared.init;

  function sparklines(data) {
    var lines = data.sparklines || {};
    document.querySelectorAll("[data-sparkline]").forEach(function (el) {
      var values = lines[el.getAttribute("data-sparkline")];
      if (!values) return;
      var chart = init(el);
      chart.setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 4 },
        xAxis: { type: "category", show: false, boundaryGap: false, data: values.map(function (_v, i) { return i; }) },
        yAxis: { type: "value", show: false, scale: true },
        tooltip: { show: false },
        series: [{
          type: "line",
          data: values,
          silent: true,
          symbol: "none",
          connectNulls: true,
          lineStyle: { width: 2, color: ACCENT },
          areaStyle: { color: "rgba(15, 118, 110, 0.12)" },
        }],
      });
    });
  }

  function seriesChart(data) {
    var el = document.getElementById("series-chart");
    if (!el || !data.series) return;
    var names = data.names || {};
    var full = formatter(data, false);
    var short = formatter(data, true);
    var chart = init(el);
    chart.setOption({
      animationDuration: 250,
      grid: { left: 64, right: 16, top: 40, bottom: 32 },
      legend: { top: 0, data: [names.current, names.previous] },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: full },
      xAxis: {
        type: "category",
        data: data.series.map(function (p) { return bucketLabel(p.start, data.grain, names); }),
      },
      yAxis: { type: "value", minInterval: data.unit === "count" ? 1 : 0, axisLabel: { formatter: short } },
      series: [
        {
          name: names.current,
          type: data.kind === "bar" ? "bar" : "line",
          data: data.series.map(function (p) { return p.value; }),
          itemStyle: { color: ACCENT },
          lineStyle: { color: ACCENT, width: 2 },
        },
        {
          name: names.previous,
          type: "line",
          data: data.series.map(function (p) { return p.previous; }),
          itemStyle: { color: PREVIOUS },
          lineStyle: { color: PREVIOUS, type: "dashed", width: 2 },
          symbol: "none",
        },
      ],
    });
  }

  function groupsChart(data) {
    var el = document.getElementById("groups-chart");
    if (!el || !data.groups || !data.groups.length) return;
    var full = formatter(data, false);
    var short = formatter(data, true);
    var top = data.groups.slice(0, 20).reverse(); // the largest at the top
    el.style.height = Math.max(160, top.length * 32 + 48) + "px"; // the CSSOM, not a style attribute
    var chart = init(el);
    chart.setOption({
      animationDuration: 250,
      grid: { left: 150, right: 96, top: 8, bottom: 32 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", valueFormatter: full },
      xAxis: { type: "value", minInterval: data.unit === "count" ? 1 : 0, axisLabel: { formatter: short } },
      yAxis: {
        type: "category",
        data: top.map(function (g) { return g.label; }),
        axisLabel: { width: 140, overflow: "truncate" },
      },
      series: [{
        type: "bar",
        data: top.map(function (g) { return g.value; }),
        itemStyle: { color: ACCENT },
        label: { show: true, position: "right", formatter: function (p) { return full(p.value); } },
      }],
    });
  }

  /* The sales reports (#report-chart): the funnel, the forecast's three sums by month side by
     side, win/loss's lost deals by reason. */
  function reportChart(data) {
    var el = document.getElementById("report-chart");
    if (!el || !data.report) return;
    var names = data.names || {};
    var chart = init(el);
    var count = formatter({ unit: "count" }, false);
    if (data.report === "pipeline-funnel") {
      chart.setOption({
        animationDuration: 250,
        tooltip: { trigger: "item", renderMode: "richText" },
        series: [{
          type: "funnel",
          name: names.deals,
          sort: "none",
          left: "10%",
          width: "80%",
          minSize: "8%",
          label: { position: "inside", formatter: function (p) { return p.name + ": " + count(p.value); } },
          itemStyle: { color: ACCENT, borderColor: "#fff" },
          data: data.steps.map(function (s) { return { name: s.label, value: s.value }; }),
        }],
      });
    } else if (data.report === "sales-forecast") {
      var full = formatter(data, false);
      var short = formatter(data, true);
      chart.setOption({
        animationDuration: 250,
        grid: { left: 72, right: 16, top: 40, bottom: 32 },
        legend: { top: 0, data: [names.total, names.weighted, names.historical] },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", valueFormatter: full },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", axisLabel: { formatter: short } },
        series: [
          { name: names.total, type: "bar", data: data.total, itemStyle: { color: PREVIOUS } },
          { name: names.weighted, type: "bar", data: data.weighted, itemStyle: { color: ACCENT } },
          { name: names.historical, type: "bar", data: data.historical, itemStyle: { color: "#b45309" } },
        ],
      });
    } else if (data.report === "win-loss") {
      var rows = (data.reasons || []).slice(0, 20);
      var bars = [{ label: names.won, value: data.won, won: true }, { label: names.lost, value: data.lost }].concat(rows);
      el.style.height = Math.max(200, bars.length * 32 + 48) + "px"; // the CSSOM, not a style attribute
      chart.setOption({
        animationDuration: 250,
        grid: { left: 150, right: 48, top: 8, bottom: 32 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", valueFormatter: count },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: bars.map(function (b) { return b.label; }), axisLabel: { width: 140, overflow: "truncate" } },
        series: [{
          type: "bar",
          data: bars.map(function (b) { return { value: b.value, itemStyle: { color: b.won ? ACCENT : "#b91c1c" } }; }),
          label: { show: true, position: "right" },
        }],
      });
    }
  }

  onReady(function () {
    var source = document.getElementById("insights-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    sparklines(data);
    seriesChart(data);
    groupsChart(data);
    reportChart(data);
  });
})();
