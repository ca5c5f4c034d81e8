/* The customer-value screen's chart, drawn with Apache ECharts (web/vendor/echarts, our own
   static file): customers per tenth of probability alive, from the plain numbers the page gives
   in #clv-data (json_script). Labels are written here in the page's language; tooltips are drawn
   on the canvas (renderMode "richText"), since an HTML tooltip would carry style attributes the
   Content-Security-Policy refuses. */
(function () {
  "use strict";

  var charts = window.VinculoCharts;  /* web/charts.js: the one set-up (locale, resize) */
  if (!charts) return;

  charts.onReady(function () {
    var node = document.getElementById("p-alive-chart");
    var source = document.getElementById("clv-data");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var lang = charts.language();
    var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
    var count = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    var labels = data.counts.map(function (_n, i) {
      return percent.format(i / 10) + "–" + percent.format((i + 1) / 10);
    });
    node.style.height = "260px";
    var chart = charts.init(node);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 48 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: labels, name: data.names.x, nameLocation: "middle", nameGap: 32 },
      yAxis: { type: "value", name: data.names.y, minInterval: 1, axisLabel: { formatter: function (v) { return count.format(v); } } },
      series: [{ type: "bar", data: data.counts, itemStyle: { color: "#0f766e" } }],
    });
  });
})();
