/* The calibration chart of the predictive model (scoring/model.html), drawn with Apache ECharts
   (web/vendor/echarts, our own static file) from the reliability bins the page gives in
   #scoring-data (json_script: plain numbers from 0 to 1). Percentages are formatted here, in the
   page's language; the table beside the chart says the same in words. */
(function () {
  "use strict";

  var charts = window.VinculoCharts;  /* web/charts.js: the one set-up (locale, resize) */
  if (!charts) return;

  charts.onReady(function () {
    var node = document.getElementById("calibration-chart");
    var source = document.getElementById("scoring-data");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var lang = charts.language();
    var pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
    var points = data.bins.map(function (b) { return [b.predicted, b.observed, b.n]; });
    var chart = charts.init(node);
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          if (!p.value || p.value.length < 3) return "";
          return data.names.predicted + ": " + pct.format(p.value[0]) + "\n" +
            data.names.observed + ": " + pct.format(p.value[1]) + "\n" + p.value[2];
        },
      },
      legend: { data: [data.names.observed, data.names.ideal] },
      grid: { left: 48, right: 16, top: 36, bottom: 36 },
      xAxis: { type: "value", min: 0, max: 1, name: data.names.predicted,
               axisLabel: { formatter: function (v) { return pct.format(v); } } },
      yAxis: { type: "value", min: 0, max: 1, name: data.names.observed,
               axisLabel: { formatter: function (v) { return pct.format(v); } } },
      series: [
        { name: data.names.ideal, type: "line", data: [[0, 0], [1, 1]], symbol: "none",
          lineStyle: { type: "dashed", color: "#94a3b8" } },
        { name: data.names.observed, type: "line", data: points, symbolSize: 8,
          itemStyle: { color: "#0f766e" } },
      ],
    });
  });
})();
