// The time control: a year slider (and Play) showing the ties known as of that year, by the year their
// sources say they were signed or joined (edge field sy); undated ties follow "include undated ties"
// and are drawn dotted. Beside it, for an ego view, the focus's agreement partners and memberships by
// year as the graph holds them, with the figures sources reported (cd:ReportedFigure) as points.
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg', playing = null;

  function slider() { return document.getElementById('cdkg-asof'); }

  // Distinct partners of the focus through ties of relation rel with a stated year <= year.
  function countAsOf(rel, year) {
    var c = window.cdkg.ctx(), focus = c.cfg.focus, seen = new Set();
    c.allEdges.forEach(function (e) {
      if (e.rel !== rel || e.sy === null || e.sy === undefined || e.sy > year) return;
      if (e.from === focus) seen.add(e.to); else if (e.to === focus) seen.add(e.from);
    });
    return seen.size;
  }
  window.cdkg.partnersAsOf = function (year) { return countAsOf('agreement', year); };
  window.cdkg.membershipsAsOf = function (year) { return countAsOf('membership', year); };

  window.cdkg.setYear = function (year) {
    var s = slider(), t0 = performance.now();
    if (!s) return null;
    var max = parseInt(s.max, 10);
    if (year !== null) year = Math.max(year, parseInt(s.min, 10));
    if (year === null || year >= max) { year = null; s.value = String(max); } else { s.value = String(year); }
    window.cdkg.asOf = year;
    window.cdkg.applyFilters();
    document.getElementById('cdkg-asof-label').textContent = year === null ? 'all years' : String(year);
    drawChart();
    window.cdkg.lastYearMs = performance.now() - t0;
    return window.cdkg.lastYearMs;
  };

  function play() {
    var s = slider(), btn = document.getElementById('cdkg-play');
    if (playing) { clearInterval(playing); playing = null; btn.textContent = 'Play'; return; }
    var y = parseInt(s.min, 10), max = parseInt(s.max, 10);
    btn.textContent = 'Pause';
    window.cdkg.setYear(y);
    playing = setInterval(function () {
      y += 1;
      window.cdkg.setYear(y);
      if (y >= max) { clearInterval(playing); playing = null; btn.textContent = 'Play'; }
    }, 500);
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function drawChart() {
    var box = document.getElementById('cdkg-chart');
    if (!box) return;
    var c = window.cdkg.ctx(), s = slider(), lo = parseInt(s.min, 10), hi = parseInt(s.max, 10) - 1;
    var figures = (c.cfg.figures || []).filter(function (f) { return f.series && f.date; });
    figures.forEach(function (f) { var y = parseInt(f.date.slice(0, 4), 10); lo = Math.min(lo, y); hi = Math.max(hi, y); });
    var years = [];
    for (var y = lo; y <= hi; y++) years.push(y);
    var series = { partners: years.map(function (y) { return countAsOf('agreement', y); }),
                   memberships: years.map(function (y) { return countAsOf('membership', y); }) };
    var top = Math.max.apply(null, [1].concat(series.partners, series.memberships, figures.map(function (f) { return f.value; })));
    var W = 240, H = 130, L = 28, B = 18, sx = function (y) { return L + (W - L - 6) * (hi > lo ? (y - lo) / (hi - lo) : 0.5); };
    var sy = function (v) { return H - B - (H - B - 8) * v / top; };
    var g = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    g.appendChild(svg('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: '#888' }));
    g.appendChild(svg('text', { x: L, y: H - 4, 'font-size': 10 }, String(lo)));
    g.appendChild(svg('text', { x: W - 30, y: H - 4, 'font-size': 10 }, String(hi)));
    g.appendChild(svg('text', { x: 2, y: 14, 'font-size': 10 }, String(top)));
    var colours = { partners: c.cfg.relationColours.agreement, memberships: c.cfg.relationColours.membership };
    Object.keys(series).forEach(function (k) {
      var pts = years.map(function (y, i) { return sx(y).toFixed(1) + ',' + sy(series[k][i]).toFixed(1); }).join(' ');
      var line = svg('polyline', { points: pts, fill: 'none', stroke: colours[k], 'stroke-width': 2, 'data-series': k });
      line.appendChild(svg('title', {}, k === 'partners' ? 'agreement partners in the graph (dated)' : 'memberships in the graph (dated)'));
      g.appendChild(line);
    });
    figures.forEach(function (f) {
      var y = parseInt(f.date.slice(0, 4), 10);
      var dot = svg('circle', { cx: sx(y), cy: sy(f.value), r: 4, fill: '#ffffff', stroke: colours[f.series], 'stroke-width': 2,
                                'data-figure': f.value });
      dot.appendChild(svg('title', {}, 'reported: ' + f.value + ' (' + f.measure + ', ' + f.date + ')'));
      g.appendChild(dot);
    });
    if (window.cdkg.asOf !== null && window.cdkg.asOf !== undefined) {
      g.appendChild(svg('line', { x1: sx(window.cdkg.asOf), y1: 4, x2: sx(window.cdkg.asOf), y2: H - B, stroke: '#111', 'stroke-dasharray': '2 2' }));
    }
    box.replaceChildren(g);
    var list = document.getElementById('cdkg-figures');
    list.replaceChildren();
    var at = window.cdkg.asOf === null || window.cdkg.asOf === undefined ? hi : window.cdkg.asOf;
    addItem(list, 'In the graph by ' + at + ': ' + countAsOf('agreement', at) + ' agreement partners, ' +
            countAsOf('membership', at) + ' memberships (dated ties only)');
    (c.cfg.figures || []).forEach(function (f) {
      addItem(list, 'Reported: ' + f.value + ' ' + f.measure + (f.date ? ' (' + f.date + ')' : ' (no date)') +
              (f.docs.length ? ', source ' + f.docs.join(', ') : ''));
    });
  }
  function addItem(list, text) { var li = document.createElement('li'); li.dir = 'auto'; li.textContent = text; list.appendChild(li); }

  function wire() {
    var s = slider();
    if (!s || s.dataset.wired) return;
    s.dataset.wired = '1';
    s.addEventListener('input', function () { window.cdkg.setYear(parseInt(s.value, 10)); });
    document.getElementById('cdkg-play').addEventListener('click', play);
    document.getElementById('cdkg-time-off').addEventListener('click', function () { window.cdkg.setYear(null); });
    document.getElementById('cdkg-reset').addEventListener('click', function () { window.cdkg.setYear(null); });
    drawChart();
  }
  document.addEventListener('DOMContentLoaded', wire);
  if (document.readyState !== 'loading') wire();
})();
