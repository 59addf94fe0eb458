// Collapsed hubs: a hub's members wait in the page's pool (#cdkg-pool) and are added to the vis
// DataSets when the hub is clicked open, placed on a ring around it (physics stays off, so the rest
// of the picture does not move), and removed when it is clicked again. A node stays while any open
// hub brings it; an edge is drawn when both its ends are on the page.
(function () {
  'use strict';
  var pool = null, open = new Set(), base = null;

  function load() {
    if (pool) return;
    pool = JSON.parse(document.getElementById('cdkg-pool').textContent);
    var c = window.cdkg.ctx();
    pool.edges.forEach(function (e) { style(c.cfg, e); });
    base = { nodes: c.allNodes.slice(), edges: c.allEdges.slice() };
  }

  // As kg.network.viz.edge_style: colour by relation, dashed not yet in force, faded no longer.
  function style(cfg, e) {
    var colour = cfg.relationColours[e.rel] || cfg.relationColours.other;
    e.color = { color: colour, highlight: '#111111', hover: '#333333' };
    if (cfg.greyStatuses.indexOf(e.status) >= 0) e.color.opacity = cfg.faded;
    if (cfg.dashed.indexOf(e.status) >= 0) e.dashes = [6, 4];
    e.width = 1.5; e.arrows = e.dir ? 'to' : '';
  }

  window.cdkg.isOpen = function (id) { return open.has(id); };
  window.cdkg.openHubs = function () { return Array.from(open); };

  window.cdkg.toggleHub = function (id) {
    load();
    var c = window.cdkg.ctx(), t0 = performance.now();
    if (open.has(id)) open.delete(id); else open.add(id);
    var present = new Set(base.nodes.map(function (n) { return n.id; }));
    var members = pool.nodes.filter(function (n) { return n.via.some(function (h) { return open.has(h); }); });
    members.forEach(function (n) { present.add(n.id); });
    var ties = pool.edges.filter(function (e) { return present.has(e.from) && present.has(e.to); });

    var inNodes = new Set(c.N.getIds()), inEdges = new Set(c.E.getIds());
    var dropNodes = Array.from(inNodes).filter(function (x) { return !present.has(x); });
    var keepTies = new Set(ties.map(function (e) { return e.id; }));
    var dropEdges = Array.from(inEdges).filter(function (x) { return x.charAt(0) === 'p' && !keepTies.has(x); });
    c.E.remove(dropEdges);
    c.N.remove(dropNodes);
    var fresh = members.filter(function (n) { return !inNodes.has(n.id); });
    c.N.add(place(c, id, fresh));
    c.E.add(ties.filter(function (e) { return !inEdges.has(e.id); }));
    if (c.cfg.basemap && window.cdkg.fadeArcs) window.cdkg.fadeArcs();
    c.N.update({ id: id, borderWidth: open.has(id) ? 1 : 4 });
    window.cdkg.setCurrent(base.nodes.concat(members), base.edges.concat(ties));
    window.cdkg.applyFilters();
    window.cdkg.lastToggleMs = performance.now() - t0;
  };

  // Geographic pages put a member at its coordinates; otherwise (or without coordinates) on a ring
  // around the hub, wide enough for its number of members.
  function place(c, hub, fresh) {
    var centre = c.net.getPositions([hub])[hub] || { x: 0, y: 0 };
    var r = 120 + 30 * Math.sqrt(fresh.length), k = Math.max(fresh.length, 1);
    return fresh.map(function (n, i) {
      var copy = Object.assign({}, n), a = 2 * Math.PI * i / k;
      if (c.cfg.geo && n.lat !== null && n.lon !== null && n.lat !== undefined) {
        copy.x = n.lon * 10; copy.y = -n.lat * 10;
      } else {
        copy.x = centre.x + r * Math.cos(a); copy.y = centre.y + r * Math.sin(a);
      }
      copy.physics = false;
      return copy;
    });
  }
})();
