/* The cohort retention heat map (#cohort-chart: web/charts.js draws it, the one heat map a
   dashboard's cohort widget also uses) and the activity-per-rep bars (#activity-chart), drawn
   with Apache ECharts (web/vendor/echarts, our own static file) from the raw numbers the page
   gives in #insights-data (json_script: shares in percent, counts, ISO months). Numbers and
   months are formatted here, in the page's language; the tables beside the charts say the same
   in words. Tooltips are drawn on the canvas (renderMode "richText"): an HTML tooltip would carry
   style attributes the Content-Security-Policy refuses. */
(function () {
  "use strict";

  var KINDS = ["#0f766e", "#2563eb", "#7c3aed", "#64748b", "#15803d", "#b91c1c"];

  function onReady(run) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  function language() {
    var lang = (document.documentElement.lang || "en").toLowerCase();
    return lang === "pt-br" ? "pt-BR" : lang;
  }

  function initOptions() {
    return { renderer: "canvas", locale: language() === "pt-BR" ? "PT-br" : "EN" };
  }

  function resizeWith(chart) {
    window.addEventListener("resize", function () { chart.resize(); });
  }

  /* The heat map is drawn by the shared set-up (web/charts.js, kind "heatmap"), as a
     dashboard's cohort widget is. */
  function cohortChart(data) {
    var el = document.getElementById("cohort-chart");
    if (!el || data.report !== "cohort-retention" || !window.VinculoCharts) return;
    window.VinculoCharts.draw(el, data);
  }

  function activityChart(data) {
    var el = document.getElementById("activity-chart");
    if (!el || data.report !== "activity-per-rep") return;
    var names = data.names || {};
    var count = new Intl.NumberFormat(language(), { maximumFractionDigits: 0 });
    el.style.height = Math.max(200, data.reps.length * 36 + 80) + "px"; // the CSSOM, not a style attribute
    var chart = window.echarts.init(el, null, initOptions());
    chart.setOption({
      animationDuration: 250,
      grid: { left: 150, right: 24, top: 40, bottom: 32 },
      legend: { top: 0, data: data.columns.map(function (c) { return names[c]; }) },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        renderMode: "richText",
        valueFormatter: function (v) { return count.format(v); },
      },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.reps, axisLabel: { width: 140, overflow: "truncate" } },
      series: data.columns.map(function (c, i) {
        return { name: names[c], type: "bar", stack: "all", data: data.values[c], itemStyle: { color: KINDS[i % KINDS.length] } };
      }),
    });
    resizeWith(chart);
  }

  onReady(function () {
    var source = document.getElementById("insights-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    cohortChart(data);
    activityChart(data);
  });
})();
