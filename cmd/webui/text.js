/* text.js: peek, source and disassembly: text reports; the search box marks the lines it matches. */
(function () {
  "use strict";
  var ui = window.pprofUI;
  var pre = document.querySelector("pre.report");
  if (!pre) return;
  var text = pre.textContent;
  function show(re) {
    pre.textContent = "";
    text.split("\n").forEach(function (line, i, all) {
      if (re && re.test(line)) {
        var m = document.createElement("mark");
        m.textContent = line;
        pre.appendChild(m);
      } else {
        pre.appendChild(document.createTextNode(line));
      }
      if (i + 1 < all.length) pre.appendChild(document.createTextNode("\n"));
    });
  }
  ui.view = {search: function (re) { show(re); }, clear: function () { show(null); }};
})();
