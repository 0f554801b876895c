/* page.js: what every page does: menus, the selection and the search box, the links of the View, Sample and Refine menus (the selection as a regexp in the URL), the details box, and saved configurations. A view's script plugs in through pprofUI.view. */
(function () {
  "use strict";
  var page = window.pprofPage;
  /* URL parameters a configuration saves (all but the sample index). */
  var SAVED = ["calltree", "rel", "unit", "compact", "intel", "mean", "norm", "sort", "dropneg", "n", "nf", "ef",
               "trim", "f", "i", "prunefrom", "h", "s", "sf", "tf", "ti", "ts", "th", "noinlines", "g"];
  var ui = window.pprofUI = {
    view: null,          /* {search: function (re) -> names matched, clear: function ()} */
    selected: [],        /* names chosen by clicking */
    searchText: "",      /* the search box's regexp, when it selects */
    setSelection: function (names) { ui.selected = names.slice(); ui.searchText = ""; refresh(); },
    query: query,
    escapeRegexp: escapeRegexp,
    reveal: reveal
  };

  function $(id) { return document.getElementById(id); }

  /* Scrolls the view's area to show element e (a search's first match) in its middle, unless it is in sight. */
  function reveal(e) {
    var r = e.getBoundingClientRect(), v = $("content").getBoundingClientRect();
    if (r.top >= v.top && r.bottom <= v.bottom && r.left >= v.left && r.left < v.right) return;
    e.scrollIntoView({block: "center", inline: "nearest"});
  }

  function escapeRegexp(s) { return s.replace(/[\\.?+*\[\](){}|^$]/g, "\\$&"); }

  /* The current query with some parameters changed; "" removes one. */
  function query(changes, base) {
    var q = new URLSearchParams(base === undefined ? window.location.search : base);
    Object.keys(changes).forEach(function (k) {
      if (changes[k] === "" || changes[k] === null || changes[k] === undefined) q.delete(k);
      else q.set(k, changes[k]);
    });
    var s = q.toString();
    return s ? "?" + s : "";
  }

  function selectionRegexp() {
    if (ui.searchText) return ui.searchText;
    return ui.selected.map(escapeRegexp).join("|");
  }

  /* ---------------------------------------------------------------- links */
  var VIEWS = {topbtn: "./top", graphbtn: "./", flamegraph: "./flamegraph", peek: "./peek", list: "./source",
               disasm: "./disasm", tagsbtn: "./tags", comparebtn: "./compare"};
  function refresh() {
    var re = selectionRegexp();
    var cur = new URLSearchParams(window.location.search);
    Object.keys(VIEWS).forEach(function (id) {
      var a = $(id);
      if (!a) return;
      a.href = VIEWS[id] + query(id === "comparebtn" || id === "tagsbtn" ? {} : {f: re});
    });
    function join(k) { var old = cur.get(k); return re && old ? re + "|" + old : re || ""; }
    var refine = {focus: {f: re}, ignore: {i: join("i")}, hide: {h: join("h")}, show: {s: re}, "show-from": {sf: re}};
    Object.keys(refine).forEach(function (id) {
      var a = $(id);
      if (!a) return;
      a.href = (query(refine[id]) || "?");
      a.classList.toggle("disabled", !re);
    });
    if ($("reset")) $("reset").href = "?";
    document.querySelectorAll("a.sample-link").forEach(function (a) {
      a.href = query({si: a.id.replace(/^sampletype-/, "")}) || "?";
    });
    configs();
  }

  /* ---------------------------------------------------------------- menus */
  var openMenu = null;
  function closeMenu() { if (openMenu) openMenu.classList.remove("open"); openMenu = null; }
  document.querySelectorAll(".menu-item").forEach(function (m) {
    var name = m.querySelector(".menu-name");
    if (!m.querySelector(".submenu")) return;
    name.addEventListener("mousedown", function (e) {
      e.preventDefault();
      var was = openMenu === m;
      closeMenu();
      if (!was) { refresh(); m.classList.add("open"); openMenu = m; }
    });
    m.querySelectorAll(".submenu a").forEach(function (a) {
      a.addEventListener("mouseenter", refresh);
    });
  });
  document.addEventListener("mousedown", function (e) {
    if (openMenu && !openMenu.contains(e.target)) closeMenu();
  });

  /* ---------------------------------------------------------------- search */
  var search = $("search"), timer = null;
  function runSearch() {
    var text = search.value, re;
    if (!text) {
      ui.searchText = "";
      if (ui.view && ui.view.clear) ui.view.clear();
      refresh();
      return;
    }
    try { re = new RegExp(text); } catch (err) { return; }
    ui.searchText = text;
    if (ui.view && ui.view.search) ui.view.search(re, text);
    refresh();
  }
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 300);
  });
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    window.location.href = window.location.pathname + query({f: search.value});
  });

  /* ---------------------------------------------------------------- details */
  $("details").addEventListener("click", function (e) {
    e.preventDefault();
    $("detailsbox").classList.toggle("open");
  });

  /* ---------------------------------------------------------------- configurations */
  function configHref(params) {
    var q = new URLSearchParams(window.location.search);
    SAVED.forEach(function (k) { q.delete(k); });
    Object.keys(params).sort().forEach(function (k) { q.set(k, params[k]); });
    var s = q.toString();
    return "?" + s;
  }
  function isCurrent(params) {
    var q = new URLSearchParams(window.location.search);
    return SAVED.every(function (k) { return (params[k] || "") === (q.get(k) || ""); });
  }
  function configs() {
    var box = $("config-entries");
    if (!box) return;
    box.textContent = "";
    var list = [{name: "Default", params: {}, builtin: true}].concat(page.configs || []);
    var current = -1;
    list.forEach(function (c, i) { if (isCurrent(c.params)) current = i; });
    var datalist = $("config-list");
    datalist.textContent = "";
    list.forEach(function (c, i) {
      var a = document.createElement("a");
      a.className = "config-entry" + (i === current ? " current" : "");
      a.href = configHref(c.params);
      a.dataset.config = c.name;
      var label = document.createElement("span");
      label.textContent = c.name;
      a.appendChild(label);
      if (!c.builtin) {
        var del = document.createElement("span");
        del.className = "menu-delete-btn";
        del.textContent = "\u00d7";
        del.title = "Delete " + c.name;
        del.addEventListener("click", function (e) {
          e.preventDefault();
          e.stopPropagation();
          askDelete(c.name);
        });
        a.appendChild(del);
        var o = document.createElement("option");
        o.value = c.name;
        datalist.appendChild(o);
      }
      box.appendChild(a);
    });
  }
  function dialog(id, show) {
    $(id).classList.toggle("open", show);
    $("dialog-overlay").classList.toggle("open", show);
  }
  $("save-config").addEventListener("click", function () {
    closeMenu();
    $("save-error").textContent = "";
    dialog("save-dialog", true);
    $("save-name").focus();
  });
  function save() {
    var name = $("save-name").value.trim();
    if (!name) { $("save-error").textContent = "Name the configuration"; return; }
    var url = "./saveconfig" + query({config: name, si: ""});
    fetch(url, {method: "POST"}).then(function (r) {
      if (!r.ok) throw new Error();
      window.location.reload();
    }).catch(function () { $("save-error").textContent = "Save failed"; });
  }
  $("save-confirm").addEventListener("click", save);
  $("save-name").addEventListener("keydown", function (e) { if (e.key === "Enter") save(); });
  $("save-cancel").addEventListener("click", function () { dialog("save-dialog", false); });
  var deleting = null;
  function askDelete(name) {
    closeMenu();
    deleting = name;
    $("delete-prompt").textContent = "Delete " + name + "?";
    $("delete-error").textContent = "";
    dialog("delete-dialog", true);
  }
  $("delete-cancel").addEventListener("click", function () { dialog("delete-dialog", false); });
  $("delete-confirm").addEventListener("click", function () {
    fetch("./deleteconfig?config=" + encodeURIComponent(deleting), {method: "DELETE"}).then(function (r) {
      if (!r.ok) throw new Error();
      page.configs = (page.configs || []).filter(function (c) { return c.name !== deleting; });
      dialog("delete-dialog", false);
      refresh();
    }).catch(function () { $("delete-error").textContent = "Delete failed"; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { dialog("save-dialog", false); dialog("delete-dialog", false); closeMenu(); }
  });

  refresh();
})();
