/* One chart set-up for every screen: Apache ECharts (web/vendor/echarts, our own static file,
   with its pt-BR locale) drawing the plain numbers a page gives with json_script.

   Any element with data-chart="ID" is drawn from the JSON of the <script id="ID"> beside it, a
   spec of the form
     { kind: "line" | "bar" | "area" | "hbar" | "stacked" | "sparkline" | "funnel" | "heatmap",
       unit: "count" | "money" | "percent" | "duration" | "number", currency: "BRL",
       grain: "day" | "week" | "month" | "quarter",        (labels from ISO days, when given)
       labels: ["2026-03-01", …] or ["Lisboa", …],        (the categories)
       series: [{ name: "…", values: [1, 2, null], color: "#…", dashed: true }],
       names: { days: "days", quarter: "Q%(quarter)s %(year)s" } }
   or, for the cohort heat map (the cohort retention report and a dashboard's cohort widget),
     { kind: "heatmap", cohorts: ["2026-01-01", …] (each cohort's month), offsets: 4,
       cells: [[offset, cohort row, share in percent, people], …],
       names: { offset: "Month %(n)s", share: "People retained", people: "People" } }
   Numbers and days are formatted here, in the page's language (never in the markup).
   Tooltips are drawn on the canvas (renderMode "richText"): an HTML tooltip would carry style
   attributes the Content-Security-Policy refuses. Pages (insights/charts.js, dashboards.js) use
   window.VinculoCharts for their own charts; a link with data-png-for="ID" gets the chart as a
   PNG (getDataURL) once it is drawn. */
(function () {
  "use strict";

  var ACCENT = "#0f766e";
  var PREVIOUS = "#94a3b8";
  var PALETTE = [ACCENT, "#b45309", "#1d4ed8", "#b91c1c", "#7c3aed", "#0e7490", "#4d7c0f", PREVIOUS];

  function onReady(run) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  function language() {
    var lang = (document.documentElement.lang || "en").toLowerCase();
    return lang === "pt-br" ? "pt-BR" : lang;
  }

  function init(el) {
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: language() === "pt-BR" ? "PT-br" : "EN" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  /* A function writing a plain number of spec.unit for the reader (short: for an axis). */
  function formatter(spec, short) {
    var locale = language();
    var names = spec.names || {};
    var format;
    if (spec.unit === "money") {
      format = new Intl.NumberFormat(locale, {
        style: "currency", currency: spec.currency || "BRL",
        notation: short ? "compact" : "standard", maximumFractionDigits: short ? 1 : 2,
      });
      return function (v) { return v === null || v === undefined ? "—" : format.format(v); };
    }
    format = new Intl.NumberFormat(locale, {
      notation: short ? "compact" : "standard",
      maximumFractionDigits: spec.unit === "count" ? 0 : 1,
    });
    var suffix = spec.unit === "percent" ? "%" : spec.unit === "duration" ? " " + (names.days || "d") : "";
    return function (v) { return v === null || v === undefined ? "—" : format.format(v) + suffix; };
  }

  function day(iso) {
    var parts = iso.split("-");
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
  }

  /* The label of a bucket starting on ``iso`` at ``grain``. */
  function bucketLabel(iso, grain, names) {
    var locale = language();
    names = names || {};
    if (grain === "quarter") {
      var month = +iso.split("-")[1];
      return (names.quarter || "Q%(quarter)s %(year)s")
        .replace("%(quarter)s", String(Math.floor((month - 1) / 3) + 1))
        .replace("%(year)s", iso.split("-")[0]);
    }
    var options = grain === "month"
      ? { month: "short", year: "numeric", timeZone: "UTC" }
      : { day: "numeric", month: "short", timeZone: "UTC" };
    return new Intl.DateTimeFormat(locale, options).format(day(iso));
  }

  function labelsOf(spec) {
    var labels = spec.labels || [];
    if (!spec.grain) return labels;
    return labels.map(function (iso) { return bucketLabel(iso, spec.grain, spec.names); });
  }

  function colorOf(s, i) { return s.color || PALETTE[i % PALETTE.length]; }

  function sparkline(spec) {
    var values = (spec.series[0] || { values: [] }).values;
    return {
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      xAxis: { type: "category", show: false, boundaryGap: false, data: values.map(function (_v, i) { return i; }) },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: { show: false },
      series: [{ type: "line", data: values, silent: true, symbol: "none", connectNulls: true,
        lineStyle: { width: 2, color: ACCENT }, areaStyle: { color: "rgba(15, 118, 110, 0.12)" } }],
    };
  }

  function funnel(spec) {
    var count = formatter({ unit: spec.unit || "count" }, false);
    var s = spec.series[0] || { values: [] };
    return {
      animationDuration: 250,
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{
        type: "funnel", name: s.name, sort: "none", left: "10%", width: "80%", minSize: "8%",
        label: { position: "inside", formatter: function (p) { return p.name + ": " + count(p.value); } },
        itemStyle: { color: ACCENT, borderColor: "#fff" },
        data: (spec.labels || []).map(function (label, i) { return { name: label, value: s.values[i] }; }),
      }],
    };
  }

  function horizontal(spec, el) {
    var full = formatter(spec, false);
    var short = formatter(spec, true);
    var labels = labelsOf(spec);
    if (!spec.fixedHeight) el.style.height = Math.max(120, labels.length * 28 + 40) + "px"; // the CSSOM
    return {
      animationDuration: 250,
      grid: { left: 8, right: 72, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", valueFormatter: full },
      xAxis: { type: "value", minInterval: spec.unit === "count" ? 1 : 0, axisLabel: { formatter: short } },
      yAxis: { type: "category", inverse: true, data: labels, axisLabel: { width: 140, overflow: "truncate" } },
      series: spec.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: spec.kind === "stacked" ? "all" : undefined, data: s.values,
          itemStyle: { color: colorOf(s, i) },
          label: spec.series.length === 1 ? { show: true, position: "right", formatter: function (p) { return full(p.value); } } : undefined };
      }),
    };
  }

  function cartesian(spec) {
    var full = formatter(spec, false);
    var short = formatter(spec, true);
    var many = spec.series.length > 1;
    return {
      animationDuration: 250,
      grid: { left: 8, right: 16, top: many ? 36 : 12, bottom: 8, containLabel: true },
      legend: many ? { top: 0, data: spec.series.map(function (s) { return s.name; }) } : undefined,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: full },
      xAxis: { type: "category", data: labelsOf(spec), boundaryGap: spec.kind !== "line" && spec.kind !== "area" },
      yAxis: { type: "value", minInterval: spec.unit === "count" ? 1 : 0, axisLabel: { formatter: short } },
      series: spec.series.map(function (s, i) {
        var color = colorOf(s, i);
        var type = s.type || (spec.kind === "area" ? "line" : spec.kind === "stacked-bar" ? "bar" : spec.kind);
        return {
          name: s.name, type: type, data: s.values, connectNulls: true,
          stack: spec.kind === "stacked-bar" ? "all" : undefined,
          symbol: s.dashed ? "none" : "emptyCircle",
          itemStyle: { color: color },
          lineStyle: { color: color, width: 2, type: s.dashed ? "dashed" : "solid" },
          areaStyle: spec.kind === "area" ? { color: color, opacity: 0.15 } : undefined,
        };
      }),
    };
  }

  function monthLabel(iso) {
    return new Intl.DateTimeFormat(language(), { month: "short", year: "numeric", timeZone: "UTC" }).format(day(iso));
  }

  /* Cohorts (rows) by month offset (columns), each cell coloured by the share retained. */
  function heatmap(spec, el) {
    var names = spec.names || {};
    var percent = new Intl.NumberFormat(language(), { maximumFractionDigits: 1 });
    var count = new Intl.NumberFormat(language(), { maximumFractionDigits: 0 });
    var offsets = [];
    for (var k = 0; k < spec.offsets; k++) offsets.push((names.offset || "Month %(n)s").replace("%(n)s", String(k)));
    var cohorts = spec.cohorts.map(monthLabel);
    el.style.height = Math.max(220, cohorts.length * 32 + 120) + "px"; // the CSSOM, not a style attribute
    // a cell's percentage is written on it only where it fits (the tooltip and the table say it)
    var roomy = (el.clientWidth - 112) / Math.max(1, spec.offsets) >= 44;
    return {
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
        data: spec.cells,
        label: { show: roomy, formatter: function (p) { return percent.format(p.value[2]) + "%"; } },
        emphasis: { itemStyle: { borderColor: "#0f172a", borderWidth: 1 } },
      }],
    };
  }

  /* Draw ``spec`` in ``el``; returns the ECharts instance. */
  function draw(el, spec) {
    var chart = init(el);
    var option;
    if (spec.kind === "sparkline") option = sparkline(spec);
    else if (spec.kind === "funnel") option = funnel(spec);
    else if (spec.kind === "hbar" || spec.kind === "stacked") option = horizontal(spec, el);
    else if (spec.kind === "heatmap") option = heatmap(spec, el);
    else option = cartesian(spec);
    if (spec.kind === "hbar" || spec.kind === "stacked" || spec.kind === "heatmap") chart.resize();
    chart.setOption(option);
    pngLinks(chart, el.getAttribute("data-png") || "");
    return chart;
  }

  /* The links with data-png-for="KEY" get the chart as a PNG once it is drawn. */
  function pngLinks(chart, key) {
    if (!key) return;
    var links = document.querySelectorAll('[data-png-for="' + key + '"]');
    if (!links.length) return;
    function update() {
      var url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      links.forEach(function (a) { a.setAttribute("href", url); a.hidden = false; });
    }
    chart.on("finished", update);
    update();
  }

  /* Draw every [data-chart] under ``root`` (the page, or what htmx just swapped in). */
  function drawAll(root) {
    if (!window.echarts) return;
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    if (scope.matches && scope.matches("[data-chart]")) found.push(scope);
    found.forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var drawn = window.echarts.getInstanceByDom(el);
      if (drawn) drawn.dispose();
      draw(el, JSON.parse(source.textContent));
    });
  }

  window.VinculoCharts = {
    ACCENT: ACCENT, PREVIOUS: PREVIOUS, PALETTE: PALETTE,
    onReady: onReady, language: language, init: init, formatter: formatter,
    bucketLabel: bucketLabel, draw: draw, pngLinks: pngLinks,
  };
  onReady(function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
