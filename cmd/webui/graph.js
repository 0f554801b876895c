/* graph.js: the call graph view: a click on a node (not a drag) selects or unselects it; the search selects the nodes it matches. Pan and zoom come with the SVG. */
(function () {
  "use strict";
  var ui = window.pprofUI;
  var SELECTED = "#ccccff";
  var nodes = [];
  document.querySelectorAll("#graph g.node").forEach(function (g) {
    var a = g.querySelector("a"), shape = g.querySelector("polygon, ellipse, path");
    if (!a || !shape) return;
    var title = a.getAttribute("xlink:title") || a.getAttribute("title") || "";
    var cut = title.lastIndexOf(" (");
    nodes.push({g: g, shape: shape, name: cut > 0 ? title.slice(0, cut) : title, fill: shape.getAttribute("fill"), on: false});
  });
  function paint(n, on) {
    n.on = on;
    n.shape.setAttribute("fill", on ? SELECTED : n.fill);
  }
  function selectedNames() {
    return nodes.filter(function (n) { return n.on; }).map(function (n) { return n.name; });
  }
  var down = null;
  document.addEventListener("mousedown", function (e) { down = {x: e.clientX, y: e.clientY}; }, true);
  nodes.forEach(function (n) {
    n.g.addEventListener("click", function (e) {
      e.preventDefault();
      if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 2) return;
      if (ui.searchText) nodes.forEach(function (m) { paint(m, false); });
      paint(n, !n.on);
      ui.setSelection(selectedNames());
    });
  });
  ui.view = {
    search: function (re) {
      nodes.forEach(function (n) { paint(n, re.test(n.name)); });
    },
    clear: function () { nodes.forEach(function (n) { paint(n, false); }); ui.setSelection([]); }
  };
})();
