/* source.js: the source view, pprof's listing: a click on a line shows or hides its instructions (or the functions inlined there); the search box marks the lines it matches and brings the first into view. */
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
    var first = null;
    lines.forEach(function (l) {
      var on = !!re && re.test(l.textContent);
      l.classList.toggle("match", on);
      first = first || (on ? l : null);
    });
    if (first) ui.reveal(first);
  }
  if (ui) ui.view = {search: function (re) { show(re); }, clear: function () { show(null); }};
})();
