/* The neighbourhood graph of a practice or an authority, drawn with Cytoscape from JSON embedded in the page. */
(function () {
  "use strict";
  var box = document.getElementById("graphe");
  var data = document.getElementById("graphe-data");
  if (!box || !data || typeof cytoscape === "undefined") return;
  var colors = { authority: "#1f5fbf", practice: "#b3541e", tool: "#2e7d32", outcome: "#8e24aa", document: "#546e7a" };
  var cy = cytoscape({
    container: box,
    elements: JSON.parse(data.textContent),
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return colors[n.data("kind")] || "#777"; },
        "label": "data(label)", "font-size": 10, "color": "#1d2430", "text-wrap": "ellipsis",
        "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 4, "width": 18, "height": 18 } },
      { selector: "node.center", style: { "width": 30, "height": 30, "border-width": 3, "border-color": "#111" } },
      { selector: "node[kind = 'document']", style: { "shape": "round-rectangle" } },
      { selector: "node[kind = 'tool']", style: { "shape": "diamond" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#b8c0cc", "curve-style": "bezier",
        "target-arrow-shape": "triangle", "target-arrow-color": "#b8c0cc" } }
    ],
    layout: { name: "cose", animate: false, padding: 20, nodeRepulsion: function () { return 9000; } }
  });
  cy.on("tap", "node", function (e) {
    var url = e.target.data("url");
    if (url) window.location.href = url;
  });
  box.setAttribute("data-ready", "true");
})();
