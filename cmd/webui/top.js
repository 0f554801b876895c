/* top.js: the top table: rows built from the page data, sortable by flat, cum or name, rows selected by a click or the search. */
(function () {
  "use strict";
  var ui = window.pprofUI, data = window.pprofPage.data;
  var rows = data.rows, total = data.total;
  var body = document.getElementById("rows");
  var order = "flat", descending = true;
  function pct(v) { return total === 0 ? "0.00%" : (v * 100 / total).toFixed(2) + "%"; }
  function td(text) { var c = document.createElement("td"); c.textContent = text; return c; }
  function render() {
    var list = rows.slice();
    var key = {flat: function (r) { return r.Flat; }, cum: function (r) { return r.Cum; }}[order];
    list.sort(function (a, b) {
      var c;
      if (order === "name") c = a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
      else c = key(a) - key(b) || (a.Name < b.Name ? 1 : a.Name > b.Name ? -1 : 0);
      return descending ? -c : c;
    });
    body.textContent = "";
    var sum = 0;
    list.forEach(function (r) {
      sum += r.Flat;
      var tr = document.createElement("tr");
      [r.FlatFormat, pct(r.Flat), pct(sum), r.CumFormat, pct(r.Cum), r.Name, r.InlineLabel].forEach(function (t) {
        tr.appendChild(td(t));
      });
      tr.row = r;
      if (r.selected) tr.className = "hilite";
      tr.addEventListener("mousedown", function () {
        if (ui.searchText) rows.forEach(function (x) { x.selected = false; });
        r.selected = !r.selected;
        paint();
        ui.setSelection(rows.filter(function (x) { return x.selected; }).map(function (x) { return x.Name; }));
      });
      body.appendChild(tr);
    });
  }
  function paint() {
    body.querySelectorAll("tr").forEach(function (tr) { tr.className = tr.row.selected ? "hilite" : ""; });
  }
  var heads = {flathdr1: "flat", flathdr2: "flat", cumhdr1: "cum", cumhdr2: "cum", namehdr: "name"};
  Object.keys(heads).forEach(function (id) {
    document.getElementById(id).addEventListener("click", function () {
      var o = heads[id];
      if (o === order) descending = !descending;
      else { order = o; descending = o !== "name"; }
      render();
    });
  });
  ui.view = {
    search: function (re) { rows.forEach(function (r) { r.selected = re.test(r.Name); }); paint(); },
    clear: function () { rows.forEach(function (r) { r.selected = false; }); paint(); ui.setSelection([]); }
  };
  render();
})();
