/* flame.js: the flame graph view: the page's search box drives the graph's own search (highlight and matched share); a click on a frame zooms. */
(function () {
  "use strict";
  var ui = window.pprofUI;
  var inner = document.getElementById("fgsearch");
  function set(text) {
    if (!inner) return;
    inner.value = text;
    inner.dispatchEvent(new Event("input", {bubbles: true}));
  }
  ui.view = {
    search: function (re, text) { set(text); },
    clear: function () { set(""); }
  };
})();
