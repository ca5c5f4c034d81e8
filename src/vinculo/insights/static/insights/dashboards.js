/* A dashboard's charts (insights/dashboards/detail.html), drawn with the shared set-up
   (web/charts.js, ECharts) from #dashboard-data: per widget id, its kind and plain numbers (ISO
   days, numbers never localised). A number gets its sparkline; line, bar and area their series;
   a leaderboard its top owners as bars; a funnel its stages; a cohort widget the heat map of the
   cohort retention report (web/charts.js kind "heatmap", the report's own drawing). Each chart's PNG link
   (data-png-for) is filled once it is drawn. */
(function () {
  "use strict";

  function specOf(w) {
    var base = { unit: w.unit, currency: w.currency, names: w.names || {} };
    if (w.kind === "number") {
      return Object.assign(base, { kind: "sparkline", series: [{ values: w.series.map(function (p) { return p.value; }) }] });
    }
    if (w.kind === "cohort") return Object.assign({}, w, { kind: "heatmap" });
    if (w.kind === "funnel") {
      return Object.assign(base, {
        kind: "funnel",
        labels: w.steps.map(function (s) { return s.label; }),
        series: [{ name: (w.names || {}).deals, values: w.steps.map(function (s) { return s.value; }) }],
      });
    }
    if (w.kind === "leaderboard") {
      return Object.assign(base, {
        kind: "hbar",
        labels: w.groups.map(function (g) { return g.label; }),
        series: [{ name: (w.names || {}).value, values: w.groups.map(function (g) { return g.value; }) }],
      });
    }
    return Object.assign(base, {
      kind: w.kind,
      grain: w.grain,
      labels: w.series.map(function (p) { return p.start; }),
      series: [{ name: (w.names || {}).value, values: w.series.map(function (p) { return p.value; }) }],
    });
  }

  function run() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts || !window.VinculoCharts) return;
    var widgets = JSON.parse(source.textContent);
    document.querySelectorAll("[data-widget-chart]").forEach(function (el) {
      var id = el.getAttribute("data-widget-chart");
      var w = widgets[id];
      if (!w) return;
      el.setAttribute("data-png", id);
      window.VinculoCharts.draw(el, specOf(w));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
