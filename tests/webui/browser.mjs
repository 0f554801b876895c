// browser.mjs: clicks through the web UI in Debian's Chromium (playwright-core, no browser download): select a node, Refine -> Focus, top table (sort, select), search, Enter, back, flame graph, source, saved configurations, labels, compare; checks what a person sees by measured geometry and writes screenshots.
//
// usage: node browser.mjs URL SHOTS_DIR [COMPARE_URL [NATIVE_URL [TAGS_URL]]]
// NATIVE_URL serves a gperftools profile of tests/native/progs/cprog.c built with -g, with its binary;
// TAGS_URL tests/data/tags_many.pb.gz (a label key of 120 values, more than the label panel lists).
import { createRequire } from "module";
import fs from "fs";
const require = createRequire(process.env.PLAYWRIGHT_DIR + "/");
const { chromium } = require("playwright-core");

const [url, shots, compareUrl, nativeUrl, tagsUrl] = process.argv.slice(2);
let pass = 0, fail = 0;
function check(cond, what, got) {
  if (cond) pass++;
  else { fail++; console.log("FAIL: " + what + (got === undefined ? "" : " (got: " + JSON.stringify(got) + ")")); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
// Which blocks of a text report the browser skips (content-visibility: auto), as it tells.
await page.addInitScript(() => {
  window.skipped = new Map();
  document.addEventListener("contentvisibilityautostatechange", (e) => window.skipped.set(e.target, e.skipped), true);
});

async function openMenu(id) {
  await page.dispatchEvent(`#${id} .menu-name`, "mousedown");
  await page.waitForSelector(`#${id} .submenu`, { state: "visible" });
}
async function menuHref(id) {
  await page.dispatchEvent(`#${id}`, "mouseenter");
  return page.getAttribute(`#${id}`, "href");
}
const params = () => new URL(page.url()).searchParams;
const graphViews = process.env.GRAPH_VIEWS !== "0";

try {
  // Under ThreadSanitizer the call graph views cannot run (browser.sh says why): start at the top table.
  if (!graphViews) await page.goto(url + "/ui/top");
  else {
    // ---------------------------------------------------------------- graph: fitted, select, Refine -> Focus
    await page.goto(url + "/ui/");
    await page.waitForSelector("#graph g.node");
    await page.waitForTimeout(200);
    await page.screenshot({ path: shots + "/graph.png" });
    const geo = await page.evaluate(() => {
      const svg = document.querySelector("#graph svg"), vp = document.getElementById("viewport");
      const s = svg.getBoundingClientRect(), v = vp.getBoundingClientRect();
      return { s: [s.left, s.top, s.width, s.height], v: [v.left, v.top, v.width, v.height],
               nodes: document.querySelectorAll("#graph g.node").length };
    });
    check(geo.nodes > 10, "graph has nodes", geo.nodes);
    check(geo.v[0] >= geo.s[0] - 1 && geo.v[1] >= geo.s[1] - 1 && geo.v[0] + geo.v[2] <= geo.s[0] + geo.s[2] + 1 &&
          geo.v[1] + geo.v[3] <= geo.s[1] + geo.s[3] + 1, "the whole graph fits in the window", geo);
    check(geo.v[2] > 0.5 * geo.s[2] || geo.v[3] > 0.5 * geo.s[3], "the fitted graph uses the window", geo);
    // The node to select: the one labelled with main.compress.
    const target = await page.evaluate(() => {
      for (const g of document.querySelectorAll("#graph g.node")) {
        const a = g.querySelector("a");
        const t = a && (a.getAttribute("xlink:title") || "");
        if (t.startsWith("main.compress ")) {
          const r = g.querySelector("polygon").getBoundingClientRect();
          return { id: g.id, x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
      }
      return null;
    });
    check(target, "main.compress is drawn");
    await openMenu("refine");
    check(await page.getAttribute("#focus", "class") === "disabled", "Focus disabled with nothing selected");
    await page.mouse.click(5, 300);
    await page.mouse.click(target.x, target.y);
    const fill = await page.getAttribute(`#${target.id} polygon`, "fill");
    check(fill === "#ccccff", "a click selects the node", fill);
    await page.screenshot({ path: shots + "/graph-selected.png" });
    await openMenu("refine");
    const focusHref = await menuHref("focus");
    check(focusHref === "?f=main%5C.compress", "Focus links to the selection", focusHref);
    await Promise.all([page.waitForNavigation(), page.click("#focus")]);
    check(params().get("f") === "main\\.compress", "Focus applied through the URL", page.url());
    const focused = await page.$$eval("#graph g.node a", (as) => as.map((a) => a.getAttribute("xlink:title")));
    check(focused.some((t) => t.startsWith("main.compress ")) && !focused.some((t) => t.startsWith("main.scan ")),
          "the focused graph keeps main.compress, drops main.scan", focused.length);
  }

  // ---------------------------------------------------------------- top: switch view, sort, select
  await openMenu("view");
  const topHref = await menuHref("topbtn");
  check(topHref === "./top", "with nothing selected, the View link drops f", topHref);
  await Promise.all([page.waitForNavigation(), page.click("#topbtn")]);
  check(new URL(page.url()).pathname === "/ui/top", "View -> Top", page.url());
  await page.waitForSelector("#rows tr");
  const top = await page.evaluate(() => {
    const rows = [...document.querySelectorAll("#rows tr")];
    const t = document.getElementById("toptable").getBoundingClientRect();
    return { n: rows.length, first: rows[0].children[5].textContent, flat: rows.map((r) => parseFloat(r.children[1].textContent)),
             w: t.width, rowh: rows[0].getBoundingClientRect().height };
  });
  check(top.n > 20 && top.first === "regexp.(*machine).add", "top table rows, heaviest first", top.first);
  check(top.flat.every((v, i) => i === 0 || v <= top.flat[i - 1]), "sorted by flat, descending");
  check(top.w > 1100 && top.rowh > 12 && top.rowh < 40, "table spans the page, rows readable", [top.w, top.rowh]);
  await page.click("#cumhdr1");
  const cums = await page.$$eval("#rows tr", (rs) => rs.map((r) => parseFloat(r.children[4].textContent)));
  check(cums.every((v, i) => i === 0 || v <= cums[i - 1]) && cums[0] > 90, "Cum header sorts by cum", cums.slice(0, 3));
  await page.click("#cumhdr1");
  const cums2 = await page.$$eval("#rows tr", (rs) => rs.map((r) => parseFloat(r.children[4].textContent)));
  check(cums2[0] <= cums2[cums2.length - 1], "a second click reverses", cums2.slice(0, 3));
  await page.click("#namehdr");
  const names = await page.$$eval("#rows tr", (rs) => rs.map((r) => r.children[5].textContent));
  check(names.every((v, i) => i === 0 || v >= names[i - 1]), "Name sorts ascending");
  await page.click("#flathdr1");
  await page.dispatchEvent("#rows tr:nth-child(2)", "mousedown");
  check(await page.getAttribute("#rows tr:nth-child(2)", "class") === "hilite", "mousedown selects a row");
  await openMenu("refine");
  check((await menuHref("ignore")) === "?i=regexp%5C.%5C%28%5C*machine%5C%29%5C.step", "Ignore links to the selected row",
        await page.getAttribute("#ignore", "href"));
  await page.mouse.click(5, 700);
  await page.screenshot({ path: shots + "/top.png" });

  // ---------------------------------------------------------------- search, Enter, back
  await page.fill("#search", "json");
  await page.waitForTimeout(500);
  const hl = await page.$$eval("#rows tr.hilite", (rs) => rs.map((r) => r.children[5].textContent));
  check(hl.length > 3 && hl.every((n) => /json/.test(n)), "the search selects matching rows", hl.length);
  await openMenu("refine");
  check((await menuHref("focus")) === "?f=json", "Refine uses the search regexp", await page.getAttribute("#focus", "href"));
  await page.mouse.click(5, 700);
  await Promise.all([page.waitForNavigation(), page.press("#search", "Enter")]);
  check(params().get("f") === "json", "Enter reloads with f=", page.url());
  const focusedTop = await page.$$eval("#rows tr", (rs) => rs.length);
  check(focusedTop > 0 && focusedTop < top.n, "the focused table is smaller", focusedTop);
  await page.goBack();
  await page.waitForSelector("#rows tr");
  check(!params().has("f") && new URL(page.url()).pathname === "/ui/top", "back returns to the unfocused table", page.url());
  check(await page.$$eval("#rows tr", (rs) => rs.length) === top.n, "and shows it whole");

  // ---------------------------------------------------------------- sample type menu
  await openMenu("sample");
  check((await page.getAttribute("#sampletype-samples", "href")) === "?si=samples", "sample link");
  await Promise.all([page.waitForNavigation(), page.click("#sampletype-samples")]);
  const sampleFirst = await page.$eval("#rows tr", (r) => r.children[0].textContent);
  check(sampleFirst === "100", "si=samples shows counts", sampleFirst);

  // ---------------------------------------------------------------- flame graph
  await page.goto(url + "/ui/top");
  await openMenu("view");
  await Promise.all([page.waitForNavigation(), page.click("#flamegraph")]);
  await page.waitForSelector("#fgframes");
  const fg = await page.evaluate(() => {
    const frames = document.getElementById("fgframes").getBoundingClientRect();
    let root = null;
    for (const g of document.querySelectorAll("#fgframes g > g")) {
      const r = g.lastElementChild.getBoundingClientRect();
      if (!root || r.width > root.width) root = { width: r.width, top: r.top };
    }
    return { fw: frames.width, root, page: document.body.getBoundingClientRect().width };
  });
  check(fg.root && fg.root.width > 0.95 * fg.fw && fg.fw > 0.9 * fg.page, "flame graph: root spans the window", fg);
  await page.fill("#search", "encode");
  await page.waitForTimeout(500);
  const matched = await page.evaluate(() => (document.getElementById("fgmatched") || {}).textContent || "");
  check(/^Matched: [0-9.]+%$/.test(matched), "flame graph search highlights and totals", matched);
  await page.screenshot({ path: shots + "/flamegraph.png" });

  // ---------------------------------------------------------------- source and peek
  // Source: pprof's listing. The Go profile has no binary here, so each line
  // with a function inlined at it opens onto that function on a click.
  const listing = () => page.evaluate(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
    const routines = [...document.querySelectorAll("#source-listing h2")].map((h) => h.textContent);
    const live = document.querySelector("#source-listing span.livesrc");
    const asm = live && live.nextSibling;
    const pre = live && live.closest("pre");
    return { routines, rows: document.querySelectorAll("#source-listing span.line").length,
             live: live ? live.textContent : null, asmShown: asm ? getComputedStyle(asm).display : null,
             asmBox: asm ? box(asm) : null, pre: pre ? box(pre) : null, page: document.documentElement.clientWidth };
  });
  await page.goto(url + "/ui/source?f=main.compress");
  let lst = await listing();
  check(lst.routines.length === 1 && lst.routines[0] === "main.compress" && lst.rows >= 3,
        "source view: the routine and its lines", lst);
  await page.goto(url + "/ui/source?f=main.handle.func1");
  lst = await listing();
  check(lst.live && /2\.55s/.test(lst.live) && lst.asmShown === "none", "source: the inlined call hidden at first", lst);
  const h0 = lst.pre ? lst.pre[3] : 0;
  await page.click("#source-listing span.livesrc");
  lst = await listing();
  check(lst.asmShown === "block" && lst.asmBox[3] > 5 && lst.pre[3] > h0, "source: a click shows the inlined function", lst);
  await page.screenshot({ path: shots + "/source.png", fullPage: true });
  await page.click("#source-listing span.livesrc");
  lst = await listing();
  check(lst.asmShown === "none" && Math.abs(lst.pre[3] - h0) < 1, "source: a second click hides it", lst);
  await page.goto(url + "/ui/peek?f=machine..add");
  check(/regexp\.\(\*machine\)\.add/.test(await page.textContent("pre.report")), "peek view");
  await page.screenshot({ path: shots + "/peek.png" });

  // ---------------------------------------------------------------- a long peek: blocks laid out near the window
  // LONG_URL serves tests/data/large.cpu, LONG_PEEK is -peek's text (51,000 lines) for f=setFunctions.func1.
  const longUrl = process.env.LONG_URL, want = process.env.LONG_PEEK ? fs.readFileSync(process.env.LONG_PEEK, "utf8") : "";
  check(!!longUrl && want.length > 1000000, "a long peek to show", want.length);
  if (longUrl && want) {
    const report = () => page.evaluate(() => {
      const pre = document.querySelector("pre.report"), c = document.getElementById("content"), cs = getComputedStyle(pre);
      const bs = [...pre.children], v = c.getBoundingClientRect();
      const marks = [...pre.querySelectorAll("mark")];
      const m = marks.length ? marks[0].getBoundingClientRect() : null;
      return { text: pre.textContent, kinds: [...new Set(bs.map((b) => b.tagName + "." + b.className))],
               lines: bs.map((b) => (b.textContent.match(/\n/g) || []).length),
               atLineEnds: bs.every((b, i) => i + 1 === bs.length || b.textContent.endsWith("\n")),
               skipped: bs.map((b) => (window.skipped.has(b) ? (window.skipped.get(b) ? 1 : 0) : -1)),
               height: pre.getBoundingClientRect().height, lh: parseFloat(cs.lineHeight),
               padding: parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom),
               scrollTop: c.scrollTop, scrollHeight: c.scrollHeight, view: [v.top, v.bottom],
               marks: marks.map((e) => e.textContent), mark: m && [m.top, m.bottom] };
    });
    await page.goto(longUrl + "/ui/peek?f=setFunctions.func1");
    await page.waitForFunction(() => [...document.querySelectorAll("pre.report > span")].every((b) => window.skipped.has(b)), null,
                             { timeout: 10000 });
    let r = await report();
    const nlines = want.split("\n").length - 1;
    check(r.text === want, "long peek: the page's text is -peek's", [r.text.length, want.length]);
    check(r.kinds.length === 1 && r.kinds[0] === "SPAN.c" && r.lines.length > 50 && r.atLineEnds &&
          r.lines.every((n) => n > 0 && n <= 1000), "long peek: the text in blocks of whole lines",
          [r.kinds, r.lines.length, r.atLineEnds, Math.max(...r.lines)]);
    const n = r.skipped.length;
    check(r.skipped[0] === 0 && r.skipped.slice(2).every((s) => s === 1), "long peek: only the blocks in the window are laid out",
          r.skipped.join(""));
    // Each block as tall as its lines before it is laid out: the scroll bar is right from the start.
    check(Math.abs(r.height - (nlines * r.lh + r.padding)) < 1, "long peek: the report as tall as its lines",
          [r.height, nlines, r.lh]);
    const h0 = r.height;
    await page.evaluate(() => { const c = document.getElementById("content"); c.scrollTop = c.scrollHeight; });
    await page.waitForFunction((n) => window.skipped.get(document.querySelectorAll("pre.report > span")[n - 1]) === false, n);
    r = await report();
    check(r.skipped[0] === 1 && r.skipped[n - 1] === 0 && Math.abs(r.height - h0) < 1,
          "long peek: scrolled to the end, the last block is laid out, the first skipped, the height unchanged",
          [r.skipped.join(""), r.height, h0]);
    // A narrow window: no line is cut at a block's edge (a block clips what overflows it), and the
    // horizontal scroll bar spans the longest line from the start, not growing as blocks are laid out.
    await page.setViewportSize({ width: 500, height: 800 });
    const across = () => page.evaluate(() => {
      const c = document.getElementById("content"), pre = document.querySelector("pre.report");
      const probe = document.createElement("span");
      probe.textContent = "0".repeat(100);
      pre.appendChild(probe);
      const ch = probe.getBoundingClientRect().width / 100;
      probe.remove();
      const shown = [...pre.children].filter((b) => window.skipped.get(b) === false);
      const cut = shown.map((b) => {
        const r = document.createRange();
        r.selectNodeContents(b);
        return r.getBoundingClientRect().right - b.getBoundingClientRect().right;
      });
      return { scrollWidth: c.scrollWidth, clientWidth: c.clientWidth, ch, shown: shown.length, cut: Math.max(...cut) };
    });
    const widest = Math.max(...want.split("\n").map((l) => l.length));
    await page.waitForTimeout(200);
    const w0 = await across();
    await page.evaluate(() => { const c = document.getElementById("content"); c.scrollTop = c.scrollHeight; });
    await page.waitForFunction((n) => window.skipped.get(document.querySelectorAll("pre.report > span")[n - 1]) === false, n);
    const w1 = await across();
    check(w0.shown > 0 && w1.shown > 0 && w0.cut <= 0.5 && w1.cut <= 0.5, "long peek, narrow window: no line cut at its block's edge",
          [w0.cut, w1.cut, w0.shown, w1.shown]);
    check(w0.scrollWidth >= widest * w0.ch && w0.scrollWidth > w0.clientWidth && w1.scrollWidth === w0.scrollWidth,
          "long peek, narrow window: the horizontal scroll spans the longest line, top to end",
          [w0.scrollWidth, w1.scrollWidth, widest, w0.ch]);
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.evaluate(() => { document.getElementById("content").scrollTop = 0; });
    // The search: a function's own line nine tenths down ("| name", its callers' and callees' lines have "|   ").
    const lines = want.split("\n");
    const target = lines.slice(Math.floor(lines.length * 0.9)).find((l) => /\| main\.\S+ \S+$/.test(l));
    const term = "\\| " + target.replace(/^.*\| /, "").replace(/[\\.?+*\[\](){}|^$]/g, "\\$&");
    const re = new RegExp(term), matching = lines.filter((l) => re.test(l));
    await page.fill("#search", term);
    await page.waitForFunction(() => document.querySelector("pre.report mark"));
    await page.waitForTimeout(200);
    r = await report();
    check(r.marks.length === matching.length && r.marks[0] === matching[0], "long peek: the search marks the lines it matches",
          [term, r.marks.length, matching.length]);
    check(r.mark && r.mark[0] >= r.view[0] && r.mark[1] <= r.view[1] && r.scrollTop > 0.8 * r.scrollHeight,
          "long peek: the first match, far down, scrolled into view", [r.mark, r.view, r.scrollTop, r.scrollHeight]);
    check(r.text === want && Math.abs(r.height - h0) < 1, "long peek: marked, the text and its height unchanged", [r.text.length, r.height]);
    await page.screenshot({ path: shots + "/peek-long-search.png" });
    await page.fill("#search", "");
    await page.waitForFunction(() => !document.querySelector("pre.report mark"));
    r = await report();
    check(r.text === want && r.marks.length === 0, "long peek: an empty search clears the marks");
  }

  // ---------------------------------------------------------------- saved configurations
  await page.goto(url + "/ui/top?f=main&n=5");
  await openMenu("config");
  await page.click("#save-config");
  await page.waitForSelector("#save-dialog", { state: "visible" });
  await page.fill("#save-name", "mycfg");
  await Promise.all([page.waitForNavigation(), page.click("#save-confirm")]);
  await openMenu("config");
  const entries = await page.$$eval("#config-entries .config-entry", (es) => es.map((e) => [e.dataset.config, e.className]));
  check(entries.length === 2 && entries[1][0] === "mycfg" && /current/.test(entries[1][1]), "saved config listed, current", entries);
  await page.screenshot({ path: shots + "/config.png" });
  await page.goto(url + "/ui/top");
  await openMenu("config");
  await Promise.all([page.waitForNavigation(), page.click('#config-entries .config-entry[data-config="mycfg"]')]);
  check(params().get("f") === "main", "choosing a config applies it", page.url());
  await openMenu("config");
  await page.click('#config-entries .config-entry[data-config="mycfg"] .menu-delete-btn');
  await page.waitForSelector("#delete-dialog", { state: "visible" });
  await page.click("#delete-confirm");
  await page.waitForSelector("#delete-dialog", { state: "hidden" });
  await openMenu("config");
  const left = await page.$$eval("#config-entries .config-entry", (es) => es.map((e) => e.dataset.config));
  check(left.length === 1 && left[0] === "Default", "deleted config gone", left);
  await page.reload();
  await openMenu("config");
  check((await page.$$eval("#config-entries .config-entry", (es) => es.length)) === 1, "deletion kept on reload");

  // ---------------------------------------------------------------- labels panel
  await page.goto(url + "/ui/tags");
  const tagRows = await page.$$eval("#tags a.tagvalue", (as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
  check(tagRows.length > 0 && tagRows.some((r) => r[0] === "/export"), "labels panel lists values", tagRows.slice(0, 3));
  const bars = await page.$$eval("#tags .bar", (bs) => bs.map((b) => b.getBoundingClientRect().width));
  check(bars.length > 0 && Math.max(...bars) > 50, "label weights drawn as bars", bars.slice(0, 3));
  await page.screenshot({ path: shots + "/tags.png" });
  const exp = tagRows.find((r) => r[0] === "/export");
  if (exp) {
    await Promise.all([page.waitForNavigation(), page.click(`#tags a.tagvalue[href="${exp[1]}"]`)]);
    check(/^endpoint=/.test(params().get("tf") || ""), "click on a value focuses on it", page.url());
  }

  // ---------------------------------------------------------------- labels panel: a key of many values, the filter
  check(!!tagsUrl, "a profile of a label key with many values");
  if (tagsUrl) {
    // Each key's 50 heaviest values, a bar as long as its weight (the
    // heaviest 200 px), then one line for the others, below the last row.
    const panel = () => page.evaluate(() => {
      const rows = [...document.querySelectorAll("#tags tr")].map((tr) => {
        const a = tr.querySelector("a.tagvalue"), bar = tr.querySelector(".bar"), r = tr.getBoundingClientRect();
        return { value: a ? a.textContent : null, more: tr.classList.contains("more") ? tr.textContent : null,
                 bar: bar ? bar.getBoundingClientRect().width : 0, barRight: bar ? bar.getBoundingClientRect().right : 0,
                 linkLeft: a ? a.getBoundingClientRect().left : 0, top: r.top, bottom: r.bottom, height: r.height };
      });
      const input = document.getElementById("tagfilter-input");
      const box = input ? input.getBoundingClientRect() : null;
      return { rows, box: box && { width: box.width, height: box.height, top: box.top } };
    });
    await page.goto(tagsUrl + "/ui/tags?tf=" + encodeURIComponent("zone=^z1$"));
    let t = await panel();
    const spans = t.rows.filter((r) => r.value && /^s/.test(r.value));
    check(spans.length === 40 && spans[0].value === "s118" && spans[39].value === "s001", "z1's 40 span values, heaviest first",
          spans.map((r) => r.value).slice(0, 3));
    await page.goto(tagsUrl + "/ui/tags");
    t = await panel();
    const all = t.rows.filter((r) => r.value && /^s/.test(r.value));
    const more = t.rows.filter((r) => r.more);
    check(all.length === 50 && all[0].value === "s119" && all[49].value === "s070", "the 50 heaviest of 120 values",
          all.map((r) => r.value).slice(0, 3));
    check(all.every((r) => Math.abs(r.bar - 200 * (parseInt(r.value.slice(1), 10) + 1) / 120) <= 1.5),
          "each bar as long as its value's weight", all.slice(0, 3).map((r) => r.bar));
    check(all.every((r) => r.linkLeft >= r.barRight && r.height > 5), "each value right of its bar, on its own row");
    check(more.length === 1 && /^70 more values, 34\.23% of the weight/.test(more[0].more) &&
          more[0].top >= all[49].bottom - 1 && more[0].height > 5, "one line for the 70 values not listed, under them",
          more.map((r) => r.more));
    check(t.box && t.box.width > 150 && t.box.height > 10, "the filter box is shown", t.box);
    await page.locator("#tags tr.more").scrollIntoViewIfNeeded();
    await page.screenshot({ path: shots + "/tags-many.png" });
    // The filter keeps the page's other settings: z1's values matching ^s00.
    await page.goto(tagsUrl + "/ui/tags?tf=" + encodeURIComponent("zone=^z1$"));
    await page.fill("#tagfilter-input", "^s00");
    await Promise.all([page.waitForNavigation(), page.press("#tagfilter-input", "Enter")]);
    check(params().get("tv") === "^s00" && params().get("tf") === "zone=^z1$", "the filter is asked with the other settings",
          page.url());
    t = await panel();
    const found = t.rows.filter((r) => r.value && /^s/.test(r.value));
    check(found.map((r) => r.value).join(" ") === "s007 s004 s001", "the filter lists the matching values", found.map((r) => r.value));
    check(found.length === 3 && Math.abs(found[0].bar - 200) <= 1 && Math.abs(found[1].bar - 125) <= 1.5 &&
          Math.abs(found[2].bar - 50) <= 1.5, "filtered bars as long as their weights (8, 5, 2)", found.map((r) => r.bar));
    await page.screenshot({ path: shots + "/tags-filter.png", fullPage: true });
    // A click on a filtered value focuses on it.
    await Promise.all([page.waitForNavigation(), page.click('#tags a.tagvalue:text-is("s004")')]);
    check(params().get("tf") === "span=^s004$", "click on a filtered value focuses on it", page.url());
    t = await panel();
    check(t.rows.filter((r) => r.value).map((r) => r.value).join(" ") === "s004 z1", "the focused value alone, with its zone",
          t.rows.map((r) => r.value));
  }

  // ---------------------------------------------------------------- compare view (capture directory)
  if (compareUrl) {
    await page.goto(compareUrl + "/ui/compare");
    const opts = await page.$$eval("#compare-a option", (os) => os.length);
    check(opts >= 2, "compare: the capture windows to choose from", opts);
    await page.selectOption("#compare-a", { index: 0 });
    await page.selectOption("#compare-b", { index: opts - 1 });
    await Promise.all([page.waitForNavigation(), page.click("#compare-go")]);
    await page.waitForSelector("#diff-flame svg");
    const diff = await page.evaluate(() => ({
      rows: document.querySelectorAll("#diff-table tbody tr").length,
      fw: document.querySelector("#diff-flame svg").getBoundingClientRect().width,
    }));
    check(diff.rows > 0 && diff.fw > 800, "compare: differential flame graph and the -diff table", diff);
    await page.screenshot({ path: shots + "/compare.png", fullPage: true });
  }

  // ---------------------------------------------------------------- source and disassembly of a native binary
  check(!!nativeUrl, "a native profile to show (gcc -g, gperftools)");
  if (nativeUrl) {
    // One report in a <pre>: every line shown whole, one text row each.
    const preGeometry = () => page.evaluate(() => {
      const pre = document.querySelector("pre.report"), r = pre.getBoundingClientRect();
      const lh = parseFloat(getComputedStyle(pre).lineHeight) || 1.2 * parseFloat(getComputedStyle(pre).fontSize);
      return { text: pre.textContent, lines: pre.textContent.replace(/\n$/, "").split("\n").length,
               width: r.width, height: r.height, scrollWidth: pre.scrollWidth, lh,
               page: document.documentElement.clientWidth, top: r.top };
    });
    await page.goto(nativeUrl + "/ui/source?f=leaf_hash");
    const nat = await page.evaluate(() => {
      const rows = [...document.querySelectorAll("#source-listing span.line")].map((l) => {
        const src = l.nextSibling && l.nextSibling.nextSibling;
        return { no: l.textContent.trim(), cls: src ? src.className : "", text: src ? src.textContent : "" };
      });
      return { h2: [...document.querySelectorAll("#source-listing h2")].map((h) => h.textContent),
               file: (document.querySelector("#source-listing .filename") || {}).textContent || "", rows };
    });
    check(nat.h2.includes("leaf_hash") && /cprog\.c$/.test(nat.file), "native source: the routine and its file", nat.h2);
    const hot = nat.rows.find((r) => r.no === "8");
    check(!!hot && hot.cls === "livesrc" && /^ +[0-9.]+m?s +[0-9.]+m?s +for \(int i = 0; i < 50; i\+\+\)/.test(hot.text),
          "native source: the loop of leaf_hash (line 8) carries the samples", hot);
    const ctx = nat.rows.find((r) => r.no === "5");
    check(!!ctx && ctx.cls === "nop" && /^ +\. +\. +unsigned long work_lib\(unsigned long n\);/.test(ctx.text),
          "native source: the lines around it from cprog.c, without samples", ctx);
    // A click on line 8 shows its instructions, with addresses.
    const line8 = await page.$$("#source-listing span.livesrc");
    let shown = null;
    for (const el of line8) {
      if (!/for \(int i = 0; i < 50/.test(await el.textContent())) continue;
      await el.click();
      shown = await el.evaluate((e) => ({ display: getComputedStyle(e.nextSibling).display,
                                          text: e.nextSibling.textContent, h: e.nextSibling.getBoundingClientRect().height }));
      break;
    }
    check(shown && shown.display === "block" && /[0-9a-f]+: \w+/.test(shown.text) && shown.h > 10,
          "native source: a click on the line shows its instructions", shown);
    await page.screenshot({ path: shots + "/source-native.png", fullPage: true });
    await page.goto(nativeUrl + "/ui/disasm?f=leaf_hash");
    let g = await preGeometry();
    check(/^ROUTINE =+ leaf_hash$/m.test(g.text), "native disassembly: the routine", g.text.slice(0, 200));
    const insns = g.text.split("\n").filter((l) => /^ +\S+ +\S+ +[0-9a-f]+: \w+/.test(l));
    check(insns.length >= 5 && insns.some((l) => /;leaf_hash cprog\.c:8$/.test(l)),
          "native disassembly: instructions with addresses, annotated with their source line", insns.slice(0, 4));
    check(insns.some((l) => /^ +[0-9.]+m?s +[0-9.]+m?s +[0-9a-f]+: /.test(l)), "native disassembly: instructions carry samples");
    check(g.height >= (g.lines - 1) * g.lh && g.height <= (g.lines + 2) * g.lh, "native disassembly: one row per line", g);
    await page.screenshot({ path: shots + "/disasm-native.png", fullPage: true });
    // The Source and Disassemble menu items keep the function searched for.
    await page.fill("#search", "leaf_hash");
    await page.waitForTimeout(400);
    const dmarks = await page.$$eval("pre.report > span.c mark", (ms) => ms.map((m) => m.textContent));
    check(dmarks.length > 0 && dmarks.length === g.text.split("\n").filter((l) => /leaf_hash/.test(l)).length,
          "native disassembly: the search marks the lines it matches", dmarks.length);
    const href = await menuHref("list");
    check(/[?&]f=leaf_hash(&|$)/.test(href || ""), "native: the Source item carries the search", href);
  }

  check(errors.length === 0, "no script errors", errors);
} catch (e) {
  fail++;
  console.log("FAIL: " + e.message.split("\n")[0]);
  await page.screenshot({ path: shots + "/failure.png" }).catch(() => {});
}
await browser.close();
console.log(`webui-browser: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
