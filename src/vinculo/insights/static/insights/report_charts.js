/* The cohort retention heat map (#cohort-chart) and the activity-per-rep bars (#activity-chart),
   drawn with Apache ECharts (web/vendor/echarts, our own static file) from the raw numbers the
   page gives in #insights-data (json_script: shares in percent, counts, ISO months). Numbers and
   months are formatted here, in the page's language; the tables beside the charts say the same
   in words. Tooltips are drawn on the canvas (renderMode "richText"): an HTML tooltip would carry
   style attributes the Content-Security-Policy refuses. */
(function () {
  "use strict";

  var ACCENT = "#0f766e";
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

  function monthLabel(iso) {
    var parts = iso.split("-");
    var when = new Date(Date.UTC(+parts[0], +parts[1] - 1, 1));
    return new Intl.DateTimeFormat(language(), { month: "short", year: "numeric", timeZone: "UTC" }).format(when);
  }

  function cohortChart(data) {
    var el = document.getElementById("cohort-chart");
    if (!el || data.report !== "cohort-retention") return;
    var names = data.names || {};
    var percent = new Intl.NumberFormat(language(), { maximumFractionDigits: 1 });
    var count = new Intl.NumberFormat(language(), { maximumFractionDigits: 0 });
    var offsets = [];
    for (var k = 0; k < data.offsets; k++) offsets.push((names.offset || "Month %(n)s").replace("%(n)s", String(k)));
    var cohorts = data.cohorts.map(monthLabel);
    el.style.height = Math.max(220, cohorts.length * 32 + 120) + "px"; // the CSSOM, not a style attribute
    // a cell's percentage is written on it only where it fits (the tooltip and the table say it)
    var roomy = (el.clientWidth - 112) / Math.max(1, data.offsets) >= 44;
    var chart = window.echarts.init(el, null, initOptions());
    chart.setOption({
      animationDuration: 250,
      grid: { left: 96, right: 16, top: 8, bottom: 96 },
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          var v = p.value;
          return cohorts[v[1]] + " · " + offsets[v[0]] + "\n" + names.share + ": " +
            percent.format(v[2]) + "%\n" + names.people + ": " + count.format(v[3]);
        },
      },
      xAxis: { type: "category", data: offsets, splitArea: { show: true } },
      yAxis: { type: "category", data: cohorts, inverse: true, splitArea: { show: true } },
      visualMap: {
        dimension: 2, // a cell is [offset, cohort, share in percent, people]: colour by the share
        min: 0,
        max: 100,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        inRange: { color: ["#f0fdfa", "#5eead4", ACCENT] },
        formatter: function (v) { return percent.format(v) + "%"; },
      },
      series: [{
        name: names.share,
        type: "heatmap",
        data: data.cells,
        label: { show: roomy, formatter: function (p) { return percent.format(p.value[2]) + "%"; } },
        emphasis: { itemStyle: { borderColor: "#0f172a", borderWidth: 1 } },
      }],
    });
    resizeWith(chart);
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
