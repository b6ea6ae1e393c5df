// The charts of overview.html (tools/reports/overview.py): one flot chart per technique from the page's
// #chart-data, a line per variant over the NumPy releases, a gap where a variant is n/a, and a
// triangle on each point that measurement/change.py marks faster (green, up) or slower (red, down), and an
// error bar over each point's 99% interval where it has one.
(function () {
  "use strict";
  if (!window.jQuery || !jQuery.plot) return;  // the vendored scripts are missing: the tables remain
  var MARK = {faster: {symbol: "\u25b2", color: "#2a2", up: 1}, slower: {symbol: "\u25bc", color: "#d22", up: -1}};

  function logTicks(axis) {  // 1, 2 and 5 times the powers of ten within the axis
    var ticks = [];
    for (var e = Math.floor(Math.log10(axis.min)); Math.pow(10, e) <= axis.max; e++)
      [1, 2, 5].forEach(function (m) {
        var v = +(m * Math.pow(10, e)).toPrecision(1);
        if (v >= axis.min && v <= axis.max) ticks.push(v);
      });
    return ticks;
  }

  function yaxis(chart) {
    var values = [].concat.apply([], chart.series.map(function (s) { return s.speedups; }))
      .filter(function (v) { return v != null; });
    var axis = {tickFormatter: function (v) { return +v.toPrecision(3) + "x"; }};
    if (!chart.log) return $.extend(axis, {min: 0});
    return $.extend(axis, {min: Math.min.apply(null, values) / 1.5, max: Math.max.apply(null, values) * 1.5,
                           ticks: logTicks, transform: Math.log, inverseTransform: Math.exp});
  }

  function legend(s, versions) {  // "kernel:variant (▲ 2.0.2)"
    var marked = s.marks.map(function (m, i) { return m && MARK[m].symbol + " " + versions[i]; }).filter(Boolean);
    return s.label + (marked.length ? " (" + marked.join(", ") + ")" : "");
  }

  function drawMarks(plot, ctx) {
    var offset = plot.getPlotOffset();
    plot.getData().forEach(function (s) {
      s.intervals.forEach(function (span, i) {
        if (!span || s.data[i][1] == null) return;
        var x = offset.left + s.xaxis.p2c(i);
        ctx.beginPath();
        ctx.moveTo(x, offset.top + s.yaxis.p2c(span[0]));
        ctx.lineTo(x, offset.top + s.yaxis.p2c(span[1]));
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.lineWidth = 1;
      });
      s.marks.forEach(function (mark, i) {
        if (!mark || s.data[i][1] == null) return;
        var x = offset.left + s.xaxis.p2c(i), y = offset.top + s.yaxis.p2c(s.data[i][1]), up = MARK[mark].up;
        ctx.beginPath();
        ctx.moveTo(x, y - 8 * up);
        ctx.lineTo(x - 7, y + 5 * up);
        ctx.lineTo(x + 7, y + 5 * up);
        ctx.closePath();
        ctx.fillStyle = MARK[mark].color;
        ctx.strokeStyle = "#000";
        ctx.fill();
        ctx.stroke();
      });
    });
  }

  function tooltip(tip, versions) {
    return function (event, pos, item) {
      if (!item) return tip.hide();
      var s = item.series, i = item.dataIndex, mark = s.marks[i];
      var span = s.intervals[i];
      tip.text(s.name + ", numpy " + versions[i] + ": " + s.data[i][1].toPrecision(3) + "x" +
               (span ? " [" + span[0].toPrecision(3) + "-" + span[1].toPrecision(3) + "]" : "") +
               (mark ? " " + MARK[mark].symbol + " " + mark + " than the column it is compared with" : ""))
        .css({left: pos.pageX + 12, top: pos.pageY + 12}).show();
    };
  }

  $(function () {
    var tip = $("<div class='chart-tip'>").hide().appendTo("body");
    JSON.parse($("#chart-data").text()).forEach(function (section, n) {
      var ticks = section.numpy.map(function (v, i) { return [i, v]; });
      section.charts.forEach(function (chart) {
        var figure = $("<figure class='chart'>").attr("data-technique", chart.technique).appendTo("#charts-" + n);
        $("<figcaption>").text(chart.technique + (chart.log ? " (log scale)" : "")).appendTo(figure);
        var placeholder = $("<div class='plot'>").appendTo(figure);
        var series = chart.series.map(function (s) {
          return {name: s.label, label: legend(s, section.numpy), marks: s.marks, intervals: s.intervals,
                  data: s.speedups.map(function (v, i) { return [i, v]; })};
        });
        $.plot(placeholder, series, {
          series: {lines: {show: true}, points: {show: true, radius: 3}},
          xaxis: {ticks: ticks, min: -0.3, max: ticks.length - 0.7},
          yaxis: yaxis(chart),
          grid: {hoverable: true},
          legend: {container: $("<div class='legend'>").appendTo(figure)},
          hooks: {draw: [drawMarks]}
        });
        placeholder.on("plothover", tooltip(tip, section.numpy));
      });
    });
  });
})();
