/* source.js: the source view, pprof's listing: a click on a line shows or hides its instructions (or the functions inlined there); the search box marks the lines it matches. */
(function () {
  "use strict";
  var ui = window.pprofUI;
  /* The listing's own handler name: its <pre> elements call it on a click. */
  window.pprof_toggle_asm = function (e) {
    var target = e ? e.target : null;
    while (target && target.tagName !== "SPAN") target = target.parentNode;
    var asm = target ? target.nextSibling : null;
    if (asm && asm.className === "asm") {
      asm.style.display = asm.style.display === "block" ? "" : "block";
      e.preventDefault();
      return false;
    }
  };
  var lines = document.querySelectorAll("#source-listing span.livesrc, #source-listing span.deadsrc, " +
                                        "#source-listing span.nop");
  function show(re) {
    lines.forEach(function (l) { l.classList.toggle("match", !!re && re.test(l.textContent)); });
  }
  if (ui) ui.view = {search: function (re) { show(re); }, clear: function () { show(null); }};
})();
