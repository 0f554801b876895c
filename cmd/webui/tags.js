/* tags.js: the label panel's filter keeps the page's other settings (filters, sample index) in the URL it asks for. */
(function () {
  "use strict";
  var form = document.getElementById("tagfilter"), input = document.getElementById("tagfilter-input");
  if (!form || !input) return;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    window.location.href = "./tags" + (window.pprofUI.query({tv: input.value}) || "?");
  });
})();
