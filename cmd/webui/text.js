/* text.js: peek, source and disassembly as text. The report's <pre> holds blocks of lines (span.c) that the browser lays out only near the window; each block gets the height of its lines, so that the scroll bar and every position are right before it is drawn. The search box marks the lines it matches, in the blocks that have them, and brings the first into view. */
(function () {
  "use strict";
  var ui = window.pprofUI;
  var pre = document.querySelector("pre.report");
  if (!pre) return;
  var blocks = [].filter.call(pre.children, function (c) { return c.className === "c"; });
  var texts = blocks.map(function (b) { return b.textContent; });
  var lineHeight = parseFloat(getComputedStyle(pre).lineHeight);
  var widest = 0; /* the longest line, in characters (a tab to the next multiple of 8) */
  function columns(line) {
    var n = 0;
    for (var k = 0; k < line.length; k++) n = line[k] === "\t" ? n + 8 - n % 8 : n + 1;
    return n;
  }
  texts.forEach(function (t, i) {
    var lines = t && t[t.length - 1] !== "\n" ? 1 : 0, tabs = t.indexOf("\t") >= 0, from = 0;
    for (var at = t.indexOf("\n"); at >= 0 || from < t.length; at = t.indexOf("\n", at + 1)) {
      var end = at >= 0 ? at : t.length;
      widest = Math.max(widest, tabs ? columns(t.slice(from, end)) : end - from);
      if (at < 0) break;
      lines++;
      from = at + 1;
    }
    blocks[i].style.containIntrinsicSize = "none auto " + lines * lineHeight + "px";
  });
  /* Every block as wide as the longest line before any is laid out: a block
   * clips what overflows it (content-visibility), and the horizontal scroll
   * bar is then right from the start. */
  pre.style.setProperty("--widest", widest + "ch");
  var marked = [];
  /* Block i's text again, with each line re matches in a <mark>; its first mark, or null. */
  function mark(i, re) {
    var lines = texts[i].split("\n"), frag = document.createDocumentFragment(), plain = "", first = null;
    lines.forEach(function (line, k) {
      var last = k + 1 === lines.length;
      if (line || !last) {
        if (re.test(line)) {
          if (plain) frag.appendChild(document.createTextNode(plain));
          var m = document.createElement("mark");
          m.textContent = line;
          frag.appendChild(m);
          first = first || m;
          plain = "";
        } else {
          plain += line;
        }
      }
      if (!last) plain += "\n";
    });
    if (!first) return null;
    if (plain) frag.appendChild(document.createTextNode(plain));
    blocks[i].textContent = "";
    blocks[i].appendChild(frag);
    marked.push(i);
    return first;
  }
  function show(re) {
    marked.forEach(function (i) { blocks[i].textContent = texts[i]; });
    marked = [];
    if (!re) return;
    var first = null;
    for (var i = 0; i < blocks.length; i++) {
      var m = mark(i, re);
      first = first || m;
    }
    if (first) ui.reveal(first);
  }
  ui.view = {search: function (re) { show(re); }, clear: function () { show(null); }};
})();
