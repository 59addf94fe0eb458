// The map view (geographic pages): country outlines from the page's own data (#cdkg-basemap, from
// the world-atlas package, never fetched) drawn under the network, and each shown tie between two
// places with coordinates drawn as a great-circle line in its relation colour and status style.
// Positions are x = 10 * longitude, y = -10 * latitude (kg.network.viz), so the canvas needs no other
// projection; the straight vis edges of those ties are drawn faint and stay for hover and click.
(function () {
  'use strict';
  var SCALE = 10, outlines = null, arcs = new Map();
  window.cdkg.map = { rings: 0, arcsDrawn: 0 };

  window.cdkg.attachMap = function () {
    var c = window.cdkg.ctx();
    if (!c.cfg.geo) return;
    outlines = JSON.parse(document.getElementById('cdkg-basemap').textContent);
    window.cdkg.map.rings = outlines.reduce(function (s, country) { return s + country.rings.length; }, 0);
    fade();
    c.net.on('beforeDrawing', draw);
    c.net.redraw();
  };

  // The straight vis edges of ties drawn as arcs stay faint (for hover and click); hubs opened later too.
  function fade() {
    var c = window.cdkg.ctx();
    c.E.update(c.E.get({ filter: function (e) { return !e.faint && isArc(e); } }).map(function (e) {
      return { id: e.id, faint: true, color: Object.assign({}, e.color, { opacity: 0.08 }) };
    }));
  }
  window.cdkg.fadeArcs = fade;
  // For the SVG export: the outlines and a shown tie's great circle, in page coordinates (null: no arc).
  window.cdkg.map.outlines = function () { return outlines || []; };
  window.cdkg.map.arcOf = function (e) {
    var a = node(e.from), b = node(e.to);
    if (!located(a) || !located(b)) return null;
    return greatCircle(a, b).map(function (part) { return part.map(function (p) { return [p[0] * SCALE, -p[1] * SCALE]; }); });
  };

  function node(id) { return window.cdkg.ctx().byId.get(id); }
  function located(n) { return n && !n.aside && n.lat !== null && n.lon !== null && n.lat !== undefined; }
  function isArc(e) { return located(node(e.from)) && located(node(e.to)); }

  // Points along the great circle from a to b, split where the path crosses the antimeridian.
  function greatCircle(a, b) {
    var r = Math.PI / 180, p1 = a.lat * r, l1 = a.lon * r, p2 = b.lat * r, l2 = b.lon * r;
    var d = 2 * Math.asin(Math.sqrt(Math.pow(Math.sin((p2 - p1) / 2), 2) +
      Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin((l2 - l1) / 2), 2)));
    if (d < 1e-9) return [[[a.lon, a.lat]]];
    var steps = Math.max(2, Math.ceil(d / r / 3)), parts = [[]], last = null;
    for (var i = 0; i <= steps; i++) {
      var f = i / steps, A = Math.sin((1 - f) * d) / Math.sin(d), B = Math.sin(f * d) / Math.sin(d);
      var x = A * Math.cos(p1) * Math.cos(l1) + B * Math.cos(p2) * Math.cos(l2);
      var y = A * Math.cos(p1) * Math.sin(l1) + B * Math.cos(p2) * Math.sin(l2);
      var z = A * Math.sin(p1) + B * Math.sin(p2);
      var pt = [Math.atan2(y, x) / r, Math.atan2(z, Math.sqrt(x * x + y * y)) / r];
      if (last !== null && Math.abs(pt[0] - last[0]) > 180) parts.push([]);
      parts[parts.length - 1].push(pt);
      last = pt;
    }
    return parts;
  }

  function draw(ctx) {
    ctx.save();
    ctx.lineWidth = 0.6; ctx.strokeStyle = '#b9c2cc'; ctx.fillStyle = '#eef1f4';
    outlines.forEach(function (country) {
      ctx.beginPath();
      country.rings.forEach(function (ring) {
        for (var i = 0; i < ring.length; i += 2) {
          var x = ring[i] * SCALE, y = -ring[i + 1] * SCALE;
          if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
        }
        ctx.closePath();
      });
      ctx.fill('evenodd'); ctx.stroke();
    });
    var c = window.cdkg.ctx(), drawn = 0;
    c.E.get({ filter: function (e) { return !e.hidden; } }).forEach(function (e) {
      var a = node(e.from), b = node(e.to);
      if (!located(a) || !located(b) || !c.N.get(e.from) || !c.N.get(e.to)) return;
      if (!arcs.has(e.id)) arcs.set(e.id, greatCircle(a, b));
      var col = (e.color && e.color.color) || '#888888';
      ctx.strokeStyle = col; ctx.globalAlpha = e.status && c.cfg.greyStatuses.indexOf(e.status) >= 0 ? 0.3 : 0.85;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(e.dashes ? (e.dashes[0] === 1 ? [1, 4] : [6, 4]) : []);
      arcs.get(e.id).forEach(function (part) {
        ctx.beginPath();
        part.forEach(function (p, i) { if (i === 0) ctx.moveTo(p[0] * SCALE, -p[1] * SCALE); else ctx.lineTo(p[0] * SCALE, -p[1] * SCALE); });
        ctx.stroke();
      });
      drawn += 1;
    });
    ctx.restore();
    window.cdkg.map.arcsDrawn = drawn;
  }
})();
