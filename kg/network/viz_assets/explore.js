// The network page's behaviour: bounded stabilisation then physics off, tooltips and an info panel
// built with textContent (data never becomes markup), search, English/Persian labels, and filters
// that hide edges (and nodes left without edges) in the vis DataSets pyvis created. Ego views label
// the focus and its direct partners; other nodes show their name while hovered.
// explore_hubs.js and explore_export.js extend window.cdkg through ctx() and setCurrent().
(function () {
  'use strict';
  var cfg, net, N, E, allNodes, allEdges, byId, lang = 'en';
  window.cdkg = { ready: false, stabilisedAt: null, counts: counts, applyFilters: applyFilters, focusNode: focusNode,
                  ctx: ctx, setCurrent: setCurrent, nameOf: nameOf };

  function ctx() {
    return { cfg: cfg, net: net, N: N, E: E, byId: byId, allNodes: allNodes, allEdges: allEdges, lang: lang };
  }
  // The nodes and edges the page now holds (a hub opened or closed): filters and tooltips work on them.
  function setCurrent(nodeList, edgeList) {
    allNodes = nodeList; allEdges = edgeList; last.clear();  // re-added items start unfiltered
    allNodes.forEach(function (n) { byId.set(n.id, n); });
  }
  function nameOf(n) {
    return lang === 'fa' ? (n.fa || n.en || n.id) : (n.en || n.fa || n.id);
  }

  function counts() {
    return { nodes: N.get({ filter: function (n) { return !n.hidden; } }).length,
             edges: E.get({ filter: function (e) { return !e.hidden; } }).length };
  }

  window.cdkgAttach = function (network, nodes, edges) {
    cfg = JSON.parse(document.getElementById('cdkg-config').textContent);
    net = network; N = nodes; E = edges;
    allNodes = N.get(); allEdges = E.get(); byId = new Map();
    allNodes.forEach(function (n) { byId.set(n.id, n); });
    if (cfg.physics) {
      // Bounded in iterations (kg.network.viz.options) and in time: past the budget the layout stops where
      // it is, so a page is still within a second whatever the machine.
      var t0 = performance.now(), settle = function () {
        if (window.cdkg.ready) return;
        network.stopSimulation(); network.setOptions({ physics: false }); done();
      };
      network.once('stabilizationIterationsDone', settle);
      network.on('stabilizationProgress', function () { if (performance.now() - t0 > cfg.layoutBudgetMs) settle(); });
    } else {
      network.once('afterDrawing', done);
    }
    network.on('click', function (p) {
      if (p.nodes.length) {
        var n = byId.get(p.nodes[0]);
        if (n && n.hub && window.cdkg.toggleHub) window.cdkg.toggleHub(n.id);
        focusNode(p.nodes[0]);
      } else if (p.edges.length) showEdge(p.edges[0]);
    });
    network.on('hoverNode', function (p) {
      var n = byId.get(p.node);
      showTip(nodeLines(n), p.event);
      if (n && !n.pin) N.update({ id: n.id, label: nameOf(n) });
    });
    network.on('blurNode', function (p) {
      var n = byId.get(p.node);
      hideTip();
      if (n && !n.pin && N.get(n.id)) N.update({ id: n.id, label: '' });
    });
    network.on('hoverEdge', function (p) { showTip(edgeLines(E.get(p.edge)), p.event); });
    network.on('blurEdge', hideTip); network.on('dragStart', hideTip);
    document.addEventListener('DOMContentLoaded', wire);
    if (document.readyState !== 'loading') wire();
    if (cfg.basemap && window.cdkg.attachMap) window.cdkg.attachMap();
  };

  function done() {
    if (window.cdkg.ready) return;
    window.cdkg.ready = true;
    window.cdkg.stabilisedAt = performance.now();
    // pyvis hides its progress bar only when all iterations ran, and shows it again on each progress
    // event (its handler runs after ours): hide it once this event is over.
    setTimeout(function () { var bar = document.getElementById('loadingBar'); if (bar) bar.style.display = 'none'; }, 0);
    document.body.setAttribute('data-stabilised', '1');
    if (cfg.focus) net.selectNodes([cfg.focus]);
  }

  var wired = false;
  function wire() {
    if (wired) return;
    wired = true;
    var panel = document.getElementById('cdkg-filters');
    panel.addEventListener('change', applyFilters);
    panel.addEventListener('input', function (ev) { if (ev.target.type === 'number') applyFilters(); });
    document.getElementById('cdkg-reset').addEventListener('click', resetFilters);
    document.getElementById('cdkg-lang').addEventListener('change', function (ev) { setLanguage(ev.target.value); });
    var search = document.getElementById('cdkg-search');
    search.addEventListener('input', function () { findNodes(search.value); });
    search.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { var first = findNodes(search.value)[0]; if (first) focusNode(first.id); }
    });
    updateCounts();
  }

  // ---- filters -------------------------------------------------------------------------------
  function checked(name) {
    var out = new Set();
    document.querySelectorAll('#cdkg-filters input[name=' + name + ']').forEach(function (i) { if (i.checked) out.add(i.value); });
    return out;
  }
  function numberOf(id) {
    var el = document.getElementById(id);
    return el && el.value !== '' && !isNaN(parseInt(el.value, 10)) ? parseInt(el.value, 10) : null;
  }
  function valueOf(id) { var el = document.getElementById(id); return el ? el.value : ''; }

  function readFilters() {
    var undated = document.getElementById('cdkg-undated');
    return { relations: checked('relation'), statuses: checked('status'), from: numberOf('cdkg-year-from'),
             to: numberOf('cdkg-year-to'), undated: undated ? undated.checked : true,
             country: valueOf('cdkg-country'), network: valueOf('cdkg-network'),
             asOf: window.cdkg.asOf === undefined ? null : window.cdkg.asOf };
  }
  // The time control (asOf) places a tie by the year its sources say it began (sy); others are undated.
  function partAllowed(f, rel, status, year, stated) {
    if (!f.relations.has(rel) || !f.statuses.has(status || 'none')) return false;
    if (f.asOf !== null) {
      if (stated === null || stated === undefined) return f.undated;
      if (stated > f.asOf) return false;
    }
    if (year === null || year === undefined) return f.undated;
    return (f.from === null || year >= f.from) && (f.to === null || year <= f.to);
  }
  function edgeWidth(count) { return Math.min(12, 1 + Math.log2(Math.max(count, 1))); }

  function applyFilters() {
    var f = readFilters();
    var members = null;
    if (f.network) {
      members = new Set([f.network]);
      allNodes.forEach(function (n) { if ((n.nets || []).indexOf(f.network) >= 0) members.add(n.id); });
    }
    var shown = new Set(), updates = [];
    allEdges.forEach(function (e) {
      var parts = e.parts || [[e.rel, e.status, e.year, 1, e.sy]], count = 0;
      parts.forEach(function (p) { if (partAllowed(f, p[0], p[1], p[2], e.parts ? p[2] : p[4])) count += p[3]; });
      var ok = count > 0;
      if (ok && f.country) ok = countryOf(e.from) === f.country || countryOf(e.to) === f.country;
      if (ok && members) ok = members.has(e.from) && members.has(e.to);
      var u = { id: e.id, hidden: !ok };
      // In time mode an undated tie that stays on screen is drawn dotted, so it is not read as dated.
      if (!e.parts) u.dashes = f.asOf !== null && (e.sy === null || e.sy === undefined) ? [1, 4] : (e.dashes || false);
      if (e.parts) { u.width = edgeWidth(count); u.count = count; }
      if (changed(u)) updates.push(u);
      if (ok) { shown.add(e.from); shown.add(e.to); }
    });
    E.update(updates);
    var active = isActive(f), nodeUpdates = [];
    allNodes.forEach(function (n) {
      var u = { id: 'n:' + n.id, hidden: active && !shown.has(n.id) && n.id !== cfg.focus };
      if (changed(u)) nodeUpdates.push({ id: n.id, hidden: u.hidden });
    });
    N.update(nodeUpdates);
    updateCounts();
  }
  // Only what changes is handed to vis: a slider step on a page of 17k nodes would otherwise redraw all.
  var last = new Map();
  function changed(u) {
    var key = JSON.stringify(u);
    if (last.get(u.id) === key) return false;
    last.set(u.id, key);
    return true;
  }
  function isActive(f) {
    return f.relations.size < cfg.relations.length || f.statuses.size < cfg.statuses.length || f.from !== null ||
      f.to !== null || !f.undated || !!f.country || !!f.network || f.asOf !== null;
  }
  function countryOf(id) { var n = byId.get(id); return n ? n.country : null; }
  function resetFilters() {
    document.querySelectorAll('#cdkg-filters input[type=checkbox]').forEach(function (i) { i.checked = true; });
    document.querySelectorAll('#cdkg-filters input[type=number]').forEach(function (i) { i.value = ''; });
    document.querySelectorAll('#cdkg-filters select').forEach(function (s) { s.value = ''; });
    applyFilters();
  }
  function updateCounts() {
    var c = counts();
    document.getElementById('cdkg-counts').textContent =
      c.nodes + ' of ' + allNodes.length + ' nodes, ' + c.edges + ' of ' + allEdges.length + ' edges shown';
  }

  // ---- labels, search, focus -----------------------------------------------------------------
  function setLanguage(value) {
    lang = value;
    N.update(allNodes.filter(function (n) { return n.pin; }).map(function (n) { return { id: n.id, label: nameOf(n) }; }));
  }
  function findNodes(text) {
    var q = text.trim().toLocaleLowerCase(), list = document.getElementById('cdkg-matches'), hits = [];
    list.replaceChildren();
    if (!q) return hits;
    for (var i = 0; i < allNodes.length && hits.length < 10; i++) {
      var n = allNodes[i];
      if ((n.en || '').toLocaleLowerCase().indexOf(q) >= 0 || (n.fa || '').indexOf(text.trim()) >= 0) hits.push(n);
    }
    hits.forEach(function (n) {
      var li = document.createElement('li'), b = document.createElement('button');
      b.type = 'button'; b.dir = 'auto'; b.textContent = n.en && n.fa ? n.en + ' · ' + n.fa : (n.en || n.fa || n.id);
      b.addEventListener('click', function () { focusNode(n.id); });
      li.appendChild(b); list.appendChild(li);
    });
    return hits;
  }

  function focusNode(id) {
    var n = byId.get(id);
    if (!n) return;
    net.selectNodes([id]);
    net.focus(id, { scale: Math.max(net.getScale(), 0.8), animation: { duration: 300 } });
    var info = document.getElementById('cdkg-info');
    info.replaceChildren();
    var h = el('h2', n.en || n.fa || n.id); info.appendChild(h);
    if (n.hub) info.appendChild(el('p', (window.cdkg.isOpen && window.cdkg.isOpen(id) ? 'Open: click again to close ('
      : 'Collapsed hub: click to open (') + n.hub + ' more nodes).'));
    if (n.fa && n.en) { var fa = el('p', n.fa); fa.lang = 'fa'; fa.dir = 'rtl'; info.appendChild(fa); }
    nodeLines(n).slice(n.fa && n.en ? 2 : 1).forEach(function (line) { info.appendChild(el('div', line)); });
    var links = document.createElement('p');
    var path = localPath(id);
    if (path !== null && cfg.pageBase) links.appendChild(link(cfg.pageBase + path, 'entity page'));
    if (path !== null && cfg.exploreBase && n.kind !== 'country') {
      if (links.childNodes.length) links.appendChild(document.createTextNode(' · '));
      links.appendChild(link(cfg.exploreBase + '/' + path + '?hops=' + (cfg.hops || 1), 'explore from here'));
    } else if (path !== null && !cfg.exploreBase && n.kind !== 'country') {
      links.appendChild(el('code', 'cdkg viz --ego ' + path.split('/').pop()));
    }
    info.appendChild(links);
    if (n.top && n.top.length) {
      info.appendChild(el('strong', 'Best connected here'));
      var ul = document.createElement('ul');
      n.top.forEach(function (t) {
        var li = document.createElement('li'), p = localPath(t[0]);
        if (p !== null && cfg.exploreBase) li.appendChild(link(cfg.exploreBase + '/' + p + '?hops=1', t[1]));
        else li.appendChild(el('span', t[1]));
        li.appendChild(document.createTextNode(' (' + t[2] + ')'));
        ul.appendChild(li);
      });
      info.appendChild(ul);
    }
  }
  function showEdge(id) {
    var info = document.getElementById('cdkg-info');
    info.replaceChildren();
    edgeLines(E.get(id)).forEach(function (line, i) { info.appendChild(el(i ? 'div' : 'h2', line)); });
  }

  // Only our own entities get links, and only to this site's paths (never a javascript: or remote URL).
  function localPath(iri) {
    return typeof iri === 'string' && iri.indexOf(cfg.idPrefix) === 0 ? encodeURI(iri.slice(cfg.idPrefix.length)) : null;
  }
  function link(href, text) { var a = el('a', text); a.href = href; return a; }
  function el(tag, text) { var e = document.createElement(tag); e.textContent = text; e.dir = 'auto'; return e; }

  // ---- tooltips ------------------------------------------------------------------------------
  function nodeLines(n) {
    if (!n) return [];
    var lines = [n.en || n.id];
    if (n.fa) lines.push(n.fa);
    lines.push(n.kind + (n.country_label ? ', ' + n.country_label : ''));
    if (n.cities !== undefined) lines.push(n.cities + ' cities with ties');
    lines.push(n.deg + ' ties' + (n.domestic ? ' (+' + n.domestic + ' within the country)' : ''));
    if (n.hop !== undefined) lines.push(n.hop === 0 ? 'focus of this view' : n.hop + ' hop(s) from the focus');
    if (n.hub) lines.push('collapsed hub: ' + n.hub + ' more nodes (click to open or close)');
    if (n.via) lines.push('shown because a hub is open');
    if (n.aside) lines.push('no coordinates: placed aside, not on the map');
    if (n.kind !== 'country' || n.id.indexOf(cfg.idPrefix) === 0) lines.push(n.id);
    return lines;
  }
  function edgeLines(e) {
    if (!e) return [];
    var a = byId.get(e.from), b = byId.get(e.to);
    var ends = (a ? a.en || a.fa : e.from) + (e.arrows ? ' → ' : ' — ') + (b ? b.en || b.fa : e.to);
    if (e.parts) {
      var lines = [ends, (e.count !== undefined ? e.count : sum(e.parts)) + ' ties'];
      var by = {};
      e.parts.forEach(function (p) { var k = p[0] + (p[1] ? ' (' + p[1] + ')' : ''); by[k] = (by[k] || 0) + p[3]; });
      Object.keys(by).sort().forEach(function (k) { lines.push(k + ': ' + by[k]); });
      return lines;
    }
    var out = [ends, (e.rl || e.rel) + (e.ekind ? ': ' + e.ekind : '')];
    out.push('status: ' + (e.status || 'not given'));
    if (e.start || e.end) out.push('dates: ' + (e.start || '?') + ' – ' + (e.end || 'open'));
    else if (e.year) out.push('year: ' + e.year);
    else out.push('dates: not given');
    var src = e.srci && e.srci.length ? e.srci : (e.src || []);
    out.push('sources: ' + (src.length ? src.join(', ') : 'none recorded'));
    out.push(e.rid);
    return out;
  }
  function sum(parts) { return parts.reduce(function (s, p) { return s + p[3]; }, 0); }

  function showTip(lines, ev) {
    var tip = document.getElementById('cdkg-tip');
    tip.replaceChildren();
    lines.forEach(function (line) { var d = document.createElement('div'); d.dir = 'auto'; d.textContent = line; tip.appendChild(d); });
    var x = ev && ev.clientX !== undefined ? ev.clientX : (ev && ev.center ? ev.center.x : 320);
    var y = ev && ev.clientY !== undefined ? ev.clientY : (ev && ev.center ? ev.center.y : 20);
    tip.style.left = (x + 14) + 'px'; tip.style.top = (y + 10) + 'px';
    tip.hidden = false;
  }
  function hideTip() { document.getElementById('cdkg-tip').hidden = true; }
})();
