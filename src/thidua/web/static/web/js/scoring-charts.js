// Scoring charts (Chart.js, vendored): data from a JSON script block named by the canvas's
// data-source; no inline script, CSP-safe. Numbers arrive as strings rounded for display.
(function () {
  "use strict";
  var COLOURS = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f"];

  function draw(canvas) {
    if (!window.Chart || canvas.getAttribute("data-drawn")) { return; }
    var source = document.getElementById(canvas.getAttribute("data-source"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var kind = canvas.getAttribute("data-chart");
    var datasets = data.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: set.label,
        data: set.data.map(function (value) { return parseFloat(value); }),
        backgroundColor: kind === "radar" ? colour + "33" : colour,
        borderColor: colour,
        borderWidth: kind === "radar" ? 2 : 0
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: "vi-VN",
      plugins: { legend: { position: "bottom" } }
    };
    if (kind === "radar") {
      options.scales = { r: { suggestedMin: 0, suggestedMax: 100 } };
    } else {
      options.indexAxis = "y";
      options.scales = { x: { stacked: true, title: { display: true, text: data.unit } },
                         y: { stacked: true } };
    }
    new window.Chart(canvas, { type: kind, data: { labels: data.labels, datasets: datasets },
                               options: options });
    canvas.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) { draw(canvases[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
