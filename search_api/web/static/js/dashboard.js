/* Dashboard charts (Chart.js) from the counts embedded in the page. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var palette = ["#1f5fbf", "#b3541e", "#2e7d32", "#8e24aa", "#546e7a", "#c62828", "#00838f", "#6d4c41"];
  var narrow = window.matchMedia("(max-width: 760px)").matches;
  function shortLabel(value) {  // long axis names are cut on the chart (the tooltip and the table keep them whole)
    var label = String(this.getLabelForValue(value));
    var max = narrow ? 22 : 40;
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }
  function draw(name, type, horizontal) {
    var canvas = document.getElementById("chart-" + name);
    if (!canvas || !data[name]) return;
    new Chart(canvas, {
      type: type,
      data: { labels: data[name].labels, datasets: [{ label: "Effectif", data: data[name].values,
        backgroundColor: type === "doughnut" ? palette : palette[0], borderWidth: type === "doughnut" ? 1 : 0 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: type === "doughnut", position: "bottom" } },
        scales: type === "doughnut" ? {} : { x: { ticks: { precision: 0 } }, y: { ticks: horizontal ? { callback: shortLabel } : { precision: 0 } } } }
    });
    canvas.setAttribute("data-ready", "true");
  }
  draw("axes", "bar", true);
  draw("years", "bar", false);
  draw("types", "doughnut", false);
  draw("tools", "bar", true);
})();
