// Export of what is on screen: PNG (the canvas on white), SVG (drawn from the shown nodes' positions,
// text set with textContent and serialised, so a label never becomes markup), and the shown nodes and
// ties as CSV with each tie's IRI and its sources' IRIs, so a figure can be traced back to its facts.
(function () {
  'use strict';

  function shown() {
    var c = window.cdkg.ctx();
    var nodes = c.N.get({ filter: function (n) { return !n.hidden; } });
    var ids = new Set(nodes.map(function (n) { return n.id; }));
    var edges = c.E.get({ filter: function (e) { return !e.hidden && ids.has(e.from) && ids.has(e.to); } });
    return { c: c, nodes: nodes, edges: edges };
  }

  function fileStem() {
    var c = window.cdkg.ctx(), f = c.cfg.focus;
    var stem = f ? f.split('/').pop() + '-' + c.cfg.hops + 'hop' : c.cfg.mode;
    return 'cdkg-' + stem.replace(/[^A-Za-z0-9_-]+/g, '_');
  }

  function download(name, blob) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
  }

  function pngDataUrl() {
    var src = document.querySelector('#mynetwork canvas');
    var out = document.createElement('canvas');
    out.width = src.width; out.height = src.height;
    var g = out.getContext('2d');
    g.fillStyle = '#ffffff'; g.fillRect(0, 0, out.width, out.height);
    g.drawImage(src, 0, 0);
    return out.toDataURL('image/png');
  }

  var SVGNS = 'http://www.w3.org/2000/svg';
  function svgText() {
    var s = shown(), pos = s.c.net.getPositions(s.nodes.map(function (n) { return n.id; }));
    var xs = [], ys = [];
    s.nodes.forEach(function (n) { var p = pos[n.id]; xs.push(p.x - 60, p.x + 60); ys.push(p.y - 60, p.y + 60); });
    var x0 = Math.min.apply(null, xs.concat([0])), y0 = Math.min.apply(null, ys.concat([0]));
    var w = Math.max.apply(null, xs.concat([1])) - x0, h = Math.max.apply(null, ys.concat([1])) - y0;
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('xmlns', SVGNS);
    svg.setAttribute('viewBox', [x0, y0, w, h].map(round).join(' '));
    svg.setAttribute('width', round(w)); svg.setAttribute('height', round(h));
    svg.setAttribute('font-family', 'system-ui, Tahoma, sans-serif');
    var title = document.createElementNS(SVGNS, 'title');
    title.textContent = document.title; svg.appendChild(title);
    var bg = node('rect', { x: x0, y: y0, width: w, height: h, fill: '#ffffff' }); svg.appendChild(bg);
    var ge = node('g', { 'class': 'edges' }), gn = node('g', { 'class': 'nodes' });
    var map = s.c.cfg.basemap && window.cdkg.map && window.cdkg.map.outlines ? window.cdkg.map : null;
    if (map) svg.appendChild(outlinesGroup(map.outlines()));
    s.edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to], col = e.color || {}, arc = map ? map.arcOf(e) : null;
      var faded = s.c.cfg.greyStatuses.indexOf(e.status) >= 0;
      var line = arc ? node('path', { d: arc.map(pathOf).join(' '), fill: 'none', stroke: col.color || '#999999',
        'stroke-width': 1.5, 'stroke-opacity': faded ? s.c.cfg.faded : 0.85 })
        : node('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: col.color || '#999999',
        'stroke-width': e.width || 1.5, 'stroke-opacity': col.opacity !== undefined ? col.opacity : 1 });
      if (e.dashes) line.setAttribute('stroke-dasharray', '6 4');
      line.setAttribute('data-tie', e.rid || ''); line.setAttribute('data-relation', e.rel || '');
      ge.appendChild(line);
    });
    s.nodes.forEach(function (n) {
      var p = pos[n.id], col = typeof n.color === 'string' ? n.color : (n.color && n.color.background) || '#888888';
      var g = node('g', { 'data-id': n.id });
      var circle = node('circle', { cx: p.x, cy: p.y, r: n.size || 10, fill: col, stroke: n.focus ? '#111111' : '#ffffff',
        'stroke-width': n.focus ? 4 : 1 });
      if (n.hub && !window.cdkg.isOpen(n.id)) { circle.setAttribute('stroke', '#333333'); circle.setAttribute('stroke-width', 4); }
      var t = document.createElementNS(SVGNS, 'title'); t.textContent = window.cdkg.nameOf(n);
      circle.appendChild(t); g.appendChild(circle);
      if (n.label) {
        var text = node('text', { x: p.x, y: p.y + (n.size || 10) + 14, 'text-anchor': 'middle', 'font-size': 14 });
        text.textContent = n.label; g.appendChild(text);
      }
      gn.appendChild(g);
    });
    svg.appendChild(ge); svg.appendChild(gn);
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }
  function pathOf(points) {
    return points.map(function (p, i) { return (i ? 'L' : 'M') + round(p[0]) + ' ' + round(p[1]); }).join(' ');
  }
  function outlinesGroup(countries) {
    var g = node('g', { 'class': 'basemap', fill: '#eef1f4', stroke: '#b9c2cc', 'stroke-width': 0.6, 'fill-rule': 'evenodd' });
    countries.forEach(function (c) {
      var d = c.rings.map(function (r) {
        var pts = [];
        for (var i = 0; i < r.length; i += 2) pts.push([r[i] * 10, -r[i + 1] * 10]);
        return pathOf(pts) + ' Z';
      }).join(' ');
      var p = node('path', { d: d }), t = document.createElementNS(SVGNS, 'title');
      t.textContent = c.name; p.appendChild(t); g.appendChild(p);
    });
    return g;
  }
  function node(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, typeof attrs[k] === 'number' ? round(attrs[k]) : attrs[k]); });
    return e;
  }
  function round(v) { return String(Math.round(v * 100) / 100); }

  // A cell starting with = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
  function cell(v) {
    var s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv(rows) { return rows.map(function (r) { return r.map(cell).join(','); }).join('\r\n') + '\r\n'; }

  function nodesCsv() {
    var s = shown();
    var rows = [['id', 'label_en', 'label_fa', 'kind', 'country', 'country_label', 'ties', 'hop', 'collapsed_members']];
    s.nodes.forEach(function (n) {
      rows.push([n.id, n.en, n.fa, n.kind, n.country, n.country_label, n.deg, n.hop, n.hub && !window.cdkg.isOpen(n.id) ? n.hub : '']);
    });
    return csv(rows);
  }
  function edgesCsv() {
    var s = shown(), by = s.c.byId, label = function (id) { var n = by.get(id); return n ? n.en || n.fa : ''; };
    var rows = [['tie_iri', 'from', 'from_label', 'to', 'to_label', 'relation', 'kind', 'status', 'start', 'end', 'year',
                 'ties', 'sources']];
    s.edges.forEach(function (e) {
      var src = e.srci && e.srci.length ? e.srci : (e.src || []);
      var count = e.parts ? (e.count !== undefined ? e.count : e.parts.reduce(function (a, p) { return a + p[3]; }, 0)) : 1;
      rows.push([e.rid || '', e.from, label(e.from), e.to, label(e.to), e.rel || (e.parts ? 'aggregate' : ''), e.ekind,
                 e.status, e.start, e.end, e.year, count, src.join(' ')]);
    });
    return csv(rows);
  }

  window.cdkg.exports = { png: pngDataUrl, svg: svgText, nodesCsv: nodesCsv, edgesCsv: edgesCsv };
  window.cdkg.exportFile = function (what) {
    var stem = fileStem();
    if (what === 'png') {
      fetchBlob(pngDataUrl(), function (blob) { download(stem + '.png', blob); });
    } else if (what === 'svg') {
      download(stem + '.svg', new Blob([svgText()], { type: 'image/svg+xml' }));
    } else if (what === 'nodes') {
      download(stem + '-nodes.csv', new Blob(['\ufeff' + nodesCsv()], { type: 'text/csv' }));
    } else if (what === 'edges') {
      download(stem + '-ties.csv', new Blob(['\ufeff' + edgesCsv()], { type: 'text/csv' }));
    }
  };
  function fetchBlob(dataUrl, then) {  // a data: URL to a Blob without fetch() (the page's CSP allows no fetch of data:)
    var bin = atob(dataUrl.split(',')[1]), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    then(new Blob([bytes], { type: 'image/png' }));
  }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('[data-export]');
    if (b) window.cdkg.exportFile(b.getAttribute('data-export'));
  });
})();
