"""/explore through the real service, and its pages in headless Chromium: they load offline without
errors, show the numbers of nodes and edges the projection gives, filter, and never run data as script.

The service runs on a copy of the curated seed build with one hostile city added (markup, quotes,
"href" and a right-to-left override in its labels) tied to Isfahan, so it appears in Isfahan's ego view.
That tie, and one more between Isfahan and Kazan, carry signing dates, and the three places coordinates
(test data in the test's own graph, never in data/): the seed gives neither, and the time control and
the map need some.
"""
from __future__ import annotations

import json
import time

import httpx
import pyoxigraph as ox
import pytest

from browser import Browser, chromium_path
from kg.network.explore import choose_view, country_overview, ego
from kg.network import project
from seed_build import seed_settings
from service import add_quads, copy_build, running_service

ID = "https://w3id.org/cdkg/id/"
ISFAHAN, HOSTILE = ID + "place/isfahan", ID + "place/test-hostile"
HOSTILE_LABEL = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> href='y' \u202Eevil"
VISIBLE_LABEL = HOSTILE_LABEL.replace("\u202E", "[U+202E]")
BROWSER = {"accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
COUNTS = "JSON.stringify({nodes: nodes.length, edges: edges.length, shown: cdkg.counts()})"


def hostile_quads() -> list[ox.Quad]:
    n, g = ox.NamedNode, ox.NamedNode("https://w3id.org/cdkg/graph/test/hostile")
    rdf_type, label = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("http://www.w3.org/2000/01/rdf-schema#label")
    cd = "https://w3id.org/cdkg/ontology#"
    city, agreement = n(HOSTILE), n(ID + "agreement/test-hostile")
    return [ox.Quad(city, rdf_type, n(cd + "City"), g),
            ox.Quad(city, label, ox.Literal(HOSTILE_LABEL, language="en"), g),
            ox.Quad(city, label, ox.Literal("<b>شهر</b>\u202E", language="fa"), g),
            ox.Quad(agreement, rdf_type, n(cd + "Agreement"), g),
            ox.Quad(agreement, n(cd + "partyA"), n(ISFAHAN), g),
            ox.Quad(agreement, n(cd + "partyB"), city, g),
            *signed(agreement, "1999-05-01", g), *dated_agreement("test-kazan-2005", ID + "place/kazan", "2005", g),
            # The seed has no coordinates; the map view needs some: Isfahan's and Kazan's (32°38'N 51°39'E,
            # 55°47'N 49°06'E), and a place for the made-up city.
            *located(ISFAHAN, "32.63", "51.65", g), *located(ID + "place/kazan", "55.78", "49.1", g),
            *located(HOSTILE, "41.0", "29.0", g)]


def located(node: str, lat: str, lon: str, g: ox.NamedNode) -> list[ox.Quad]:
    geo, decimal = "http://www.w3.org/2003/01/geo/wgs84_pos#", ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    return [ox.Quad(ox.NamedNode(node), ox.NamedNode(geo + "lat"), ox.Literal(lat, datatype=decimal), g),
            ox.Quad(ox.NamedNode(node), ox.NamedNode(geo + "long"), ox.Literal(lon, datatype=decimal), g)]


def signed(agreement: ox.NamedNode, day: str, g: ox.NamedNode) -> list[ox.Quad]:
    time_ns, instant = "http://www.w3.org/2006/time#", ox.NamedNode(agreement.value + "/signed")
    kind = "date" if len(day) == 10 else "gYear"
    return [ox.Quad(agreement, ox.NamedNode("https://w3id.org/cdkg/ontology#signedOn"), instant, g),
            ox.Quad(instant, ox.NamedNode(time_ns + ("inXSDDate" if kind == "date" else "inXSDgYear")),
                    ox.Literal(day, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + kind)), g)]


def dated_agreement(name: str, partner: str, day: str, g: ox.NamedNode) -> list[ox.Quad]:
    n, cd = ox.NamedNode, "https://w3id.org/cdkg/ontology#"
    a = n(ID + "agreement/" + name)
    return [ox.Quad(a, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(cd + "Agreement"), g),
            ox.Quad(a, n(cd + "partyA"), n(ISFAHAN), g), ox.Quad(a, n(cd + "partyB"), n(partner), g), *signed(a, day, g)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    seed = seed_settings(tmp_path_factory.getbasetemp())  # the session's seed build, copied below
    build = copy_build(seed, tmp_path_factory.mktemp("explore"))
    add_quads(build, hostile_quads())
    store = ox.Store.read_only(str(build / "store"))
    graph = project(store)
    with running_service(build, env={"CDKG_DATA_DIR": str(seed.data_dir), "CDKG_WARM_NETWORK": "1"}) as base:
        yield base, graph


@pytest.fixture(scope="module")
def chromium():
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package `chromium`)")
    return exe


def test_explore_pages_and_their_errors(site):
    base, graph = site
    r = httpx.get(f"{base}/explore/place/isfahan", params={"hops": 2}, headers=BROWSER, timeout=120)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert httpx.get(f"{base}/explore", headers=BROWSER, timeout=60).status_code == 200
    missing = httpx.get(f"{base}/explore/place/atlantis", headers=BROWSER)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"] and "atlantis" in missing.text
    assert httpx.get(f"{base}/explore/place/isfahan", params={"hops": 4}).status_code == 422
    assert httpx.get(f"{base}/explore/place/isfahan", params={"hops": "two"}).status_code == 422
    bad_country = httpx.get(f"{base}/explore", params={"country": "Narnia"})
    assert bad_country.status_code == 400 and "Narnia" in bad_country.text


def test_home_and_entity_pages_link_to_explore(site):
    base, _ = site
    assert 'href="/explore"' in httpx.get(f"{base}/", headers=BROWSER, timeout=60).text
    assert 'href="/explore/place/isfahan"' in httpx.get(f"{base}/id/place/isfahan", headers=BROWSER, timeout=60).text
    # A source document is not a node of the network: no link to a view that would be 404.
    assert 'href="/explore/document/' not in httpx.get(f"{base}/id/document/a002", headers=BROWSER, timeout=60).text


def test_ego_view_in_a_browser_shows_the_projection_and_filters(site, chromium):
    base, graph = site
    view = ego(graph, ISFAHAN, 1)
    with Browser(chromium) as browser:
        browser.goto(f"{base}/explore/place/isfahan?hops=1")
        browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)
        counts = json.loads(browser.evaluate(COUNTS))
        expected = {"nodes": view.graph.number_of_nodes(), "edges": view.graph.number_of_edges()}
        assert {"nodes": counts["nodes"], "edges": counts["edges"]} == expected == counts["shown"]
        assert browser.evaluate("network.physics.options.enabled") is False  # stabilised, then stopped
        # Hide agreements: what remains is every other tie, and the nodes they touch (plus the focus).
        rest = [(s, t) for s, t, d in view.graph.edges(data=True) if (d.get("relation") or d.get("label")) != "agreement"]
        assert rest and len(rest) < expected["edges"]
        browser.evaluate("(() => { const box = document.querySelector('#cdkg-filters input[name=relation][value=agreement]');"
                         " box.click(); return true })()")
        shown = json.loads(browser.evaluate("JSON.stringify(cdkg.counts())"))
        assert shown == {"nodes": len({n for e in rest for n in e} | {ISFAHAN}), "edges": len(rest)}
        browser.evaluate("document.getElementById('cdkg-reset').click(); true")
        assert json.loads(browser.evaluate("JSON.stringify(cdkg.counts())")) == expected
        # Persian labels on demand.
        browser.evaluate("(() => { const s = document.getElementById('cdkg-lang'); s.value = 'fa';"
                         " s.dispatchEvent(new Event('change')); return true })()")
        assert browser.evaluate(f"nodes.get({json.dumps(ISFAHAN)}).label") == "اصفهان"
        assert browser.console == []
        _assert_local(browser)


def test_hostile_label_is_shown_as_text_and_never_runs(site, chromium):
    base, _ = site
    with Browser(chromium) as browser:
        browser.goto(f"{base}/explore/place/isfahan?hops=1")
        browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)
        assert browser.evaluate(f"nodes.get({json.dumps(HOSTILE)}).en") == VISIBLE_LABEL
        browser.evaluate(f"cdkg.focusNode({json.dumps(HOSTILE)}); true")  # the info panel
        browser.evaluate(f"network.emit('hoverNode', {{node: {json.dumps(HOSTILE)}, event: {{clientX: 400, clientY: 300}}}}); true")
        assert browser.evaluate("document.querySelector('#cdkg-info h2').textContent") == VISIBLE_LABEL
        assert VISIBLE_LABEL in browser.evaluate("document.getElementById('cdkg-tip').textContent")
        assert browser.evaluate("document.querySelectorAll('#cdkg-info script, #cdkg-info img, #cdkg-info b,"
                                " #cdkg-tip script, #cdkg-tip img').length") == 0
        # Its own ego view puts the label in the title and the panel heading.
        browser.goto(f"{base}/explore/place/test-hostile")
        browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)
        assert browser.evaluate("document.querySelector('#cdkg-panel h1').textContent").startswith(VISIBLE_LABEL)
        assert browser.evaluate("document.title").startswith(VISIBLE_LABEL)
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        assert browser.console == []
        _assert_local(browser)


def test_overview_in_a_browser(site, chromium):
    base, graph = site
    view = country_overview(graph)
    with Browser(chromium) as browser:
        browser.goto(f"{base}/explore")
        browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)
        counts = json.loads(browser.evaluate(COUNTS))
        assert counts["nodes"] == view.graph.number_of_nodes() and counts["edges"] == view.graph.number_of_edges()
        iran = ID + "place/iran"
        assert iran in view.graph  # a country links on to its cities' ego views
        browser.evaluate(f"cdkg.focusNode({json.dumps(iran)}); true")
        assert browser.evaluate("document.querySelector('#cdkg-info a[href^=\"/explore/place/\"]') !== null")
        assert browser.console == []
        _assert_local(browser)


def _assert_local(browser: Browser) -> None:
    outside = [u for u in browser.requests if not u.startswith(("http://127.0.0.1", "data:", "about:", "blob:"))]
    assert outside == [], f"the page fetched from outside this server: {outside}"


def _open_isfahan(browser: Browser, base: str, hops: int) -> None:
    browser.goto(f"{base}/explore/place/isfahan?hops={hops}")
    browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)


def test_collapsed_hub_opens_and_closes_in_a_browser(site, chromium):
    base, graph = site
    view = choose_view(graph, ego_of=ISFAHAN, hops=2)
    hubs = {n: d["hub"] for n, d in view.graph.nodes(data=True) if d.get("hub")}
    assert hubs, "the seed's Isfahan view has no collapsed hub"
    hub = max(hubs, key=hubs.get)
    # The walk did not go through the hub: its members are in the pool, not the picture.
    brings = {n for n, d in view.pool_nodes.items() if hub in d["via"]}
    assert brings and not brings & set(view.graph)
    with Browser(chromium) as browser:
        _open_isfahan(browser, base, 2)
        before = json.loads(browser.evaluate("JSON.stringify(cdkg.counts())"))
        assert before == {"nodes": view.graph.number_of_nodes(), "edges": view.graph.number_of_edges()}
        # Labels: the focus and its direct partners carry one; farther nodes only while hovered.
        labelled = set(browser.evaluate("nodes.get({filter: n => n.label}).map(n => n.id)"))
        assert labelled == {n for n, d in view.graph.nodes(data=True) if d["hop"] <= 1}
        browser.evaluate(f"network.emit('click', {{nodes: [{json.dumps(hub)}], edges: []}}); true")
        opened = json.loads(browser.evaluate("JSON.stringify(cdkg.counts())"))
        assert opened["nodes"] == before["nodes"] + len(brings)
        assert set(browser.evaluate("nodes.getIds()")) == set(view.graph) | brings
        assert opened["edges"] > before["edges"]
        browser.evaluate(f"network.emit('click', {{nodes: [{json.dumps(hub)}], edges: []}}); true")
        assert json.loads(browser.evaluate("JSON.stringify(cdkg.counts())")) == before
        assert set(browser.evaluate("nodes.getIds()")) == set(view.graph)
        assert browser.console == []
        _assert_local(browser)


def test_exports_hold_the_nodes_and_ties_on_screen(site, chromium, tmp_path):
    import csv
    import xml.etree.ElementTree as ET

    base, graph = site
    with Browser(chromium) as browser:
        browser.send("Page.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path))
        _open_isfahan(browser, base, 1)
        browser.evaluate("(() => { const box = document.querySelector('#cdkg-filters input[name=relation][value=membership]');"
                         " box.click(); return true })()")  # what is on screen, not what the page holds
        shown_nodes = set(browser.evaluate("nodes.get({filter: n => !n.hidden}).map(n => n.id)"))
        shown_ties = set(browser.evaluate("edges.get({filter: e => !e.hidden}).map(e => e.rid)"))
        assert shown_nodes and len(shown_nodes) < browser.evaluate("nodes.length")
        for kind in ("png", "svg", "nodes", "edges"):
            browser.evaluate(f"document.querySelector('[data-export={kind}]').click(); true")
        stem = "cdkg-isfahan-1hop"
        files = {f: tmp_path / f for f in (f"{stem}.png", f"{stem}.svg", f"{stem}-nodes.csv", f"{stem}-ties.csv")}
        deadline = time.monotonic() + 30
        while not all(p.is_file() for p in files.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        png = files[f"{stem}.png"].read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and int.from_bytes(png[16:20], "big") > 100
        svg = ET.parse(files[f"{stem}.svg"]).getroot()
        ns = "{http://www.w3.org/2000/svg}"
        assert {g.get("data-id") for g in svg.iter(f"{ns}g") if g.get("data-id")} == shown_nodes
        assert {line.get("data-tie") for line in svg.iter(f"{ns}line")} == shown_ties
        with open(files[f"{stem}-nodes.csv"], encoding="utf-8-sig", newline="") as f:
            assert {r["id"] for r in csv.DictReader(f)} == shown_nodes
        with open(files[f"{stem}-ties.csv"], encoding="utf-8-sig", newline="") as f:
            ties = list(csv.DictReader(f))
        assert {r["tie_iri"] for r in ties} == shown_ties
        # Each tie's sources are the IRIs the projection holds for it (documents and datasets).
        sources = {k: set(d["source_iris"]) for _, _, k, d in graph.edges(keys=True, data=True)}
        assert all(set(r["sources"].split()) == sources[r["tie_iri"]] for r in ties)
        assert any(r["sources"] for r in ties) and all(s.startswith("https://") for r in ties for s in r["sources"].split())
        # The hostile label is text in the files, never markup or a formula.
        assert not list(svg.iter(f"{ns}script")) and not list(svg.iter(f"{ns}img"))
        assert browser.console == []
        _assert_local(browser)


PARTNERS_AS_OF = """PREFIX cd: <https://w3id.org/cdkg/ontology#> PREFIX time: <http://www.w3.org/2006/time#>
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
  { SELECT ?a (MIN(STR(?v)) AS ?start) WHERE { ?a a cd:Agreement ; cd:signedOn|cd:period/time:hasBeginning ?i .
      ?i time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?v } GROUP BY ?a }
  ?a cd:partyA|cd:partyB <%s> ; cd:partyA|cd:partyB ?p . FILTER(?p != <%s>)
  FILTER(SUBSTR(?start, 1, 4) <= "%d") }"""


def test_year_slider_shows_ties_signed_by_then_and_counts_match_sparql(site, chromium):
    base, graph = site
    view = ego(graph, ISFAHAN, 1)
    stated = {k: d["year"] for _, _, k, d in view.graph.edges(keys=True, data=True) if d.get("start_basis") == "stated"}
    assert sorted(stated.values()) == [1999, 2005]
    with Browser(chromium) as browser:
        _open_isfahan(browser, base, 1)
        assert browser.evaluate("document.getElementById('cdkg-asof').min") == "1999"
        total = json.loads(browser.evaluate("JSON.stringify(cdkg.counts())"))
        browser.evaluate("document.getElementById('cdkg-undated').click(); true")  # dated ties only
        for year in (1999, 2004, 2005):
            browser.evaluate(f"(() => {{ const s = document.getElementById('cdkg-asof'); s.value = '{year}';"
                             " s.dispatchEvent(new Event('input')); return true })()")
            shown = json.loads(browser.evaluate("JSON.stringify(cdkg.counts())"))
            assert shown["edges"] == sum(1 for y in stated.values() if y <= year) < total["edges"]
            answer = httpx.post(f"{base}/sparql", data={"query": PARTNERS_AS_OF % (ISFAHAN, ISFAHAN, year)},
                                headers={"accept": "application/sparql-results+json"}, timeout=60).json()
            expected = int(answer["results"]["bindings"][0]["n"]["value"])
            assert browser.evaluate(f"cdkg.partnersAsOf({year})") == expected
            assert f"{expected} agreement partners" in browser.evaluate("document.getElementById('cdkg-figures').textContent")
            assert browser.evaluate("cdkg.lastYearMs") < 100
        assert browser.evaluate("cdkg.partnersAsOf(2005)") == 2 and browser.evaluate("cdkg.partnersAsOf(1998)") == 0
        # Undated ties back in: drawn dotted while a year is set; "All years" restores the whole picture.
        browser.evaluate("document.getElementById('cdkg-undated').click(); true")
        assert browser.evaluate("edges.get({filter: e => !e.hidden && e.sy == null}).every(e => e.dashes && e.dashes[0] === 1)")
        browser.evaluate("document.getElementById('cdkg-time-off').click(); true")
        assert json.loads(browser.evaluate("JSON.stringify(cdkg.counts())")) == total
        assert browser.evaluate("edges.get({filter: e => e.sy == null && !e.status}).every(e => !e.dashes)")
        assert browser.evaluate("document.querySelectorAll('#cdkg-chart polyline').length") == 2
        assert browser.console == []
        _assert_local(browser)


@pytest.fixture(scope="module")
def basemap():
    from kg.core import Settings
    from kg.network import basemap_outlines, ensure_basemap

    folder = Settings().ui_assets_dir
    notice = ensure_basemap(folder)  # the set-up step (`cdkg ui-install`), idempotent
    outlines = basemap_outlines(folder)
    if outlines is None:
        pytest.skip(f"the base map could not be installed: {notice}")
    return outlines


def test_base_map_outlines_are_decoded_in_place(basemap):
    iran = next(c for c in basemap if c["name"] == "Iran")
    ring = list(zip(iran["rings"][0][0::2], iran["rings"][0][1::2]))
    assert _inside((51.67, 32.65), ring)  # Isfahan lies in Iran's outline
    assert not _inside((12.5, 41.9), ring)  # Rome does not
    # No ring jumps across the map at the antimeridian (Russia, Fiji are continued past it; Antarctica is
    # closed along the pole).
    assert all(abs(r[i] - r[i + 2]) < 180 or r[i + 1] == r[i + 3] == -90
               for c in basemap for r in c["rings"] for i in range(0, len(r) - 2, 2))
    assert len(basemap) > 170


def test_npm_pack_names_a_file_the_package_lacks(basemap, tmp_path):
    # The one helper both npm installs use (kg.core.npm_pack): a missing file is a clear error, not a KeyError.
    from kg.core import NpmPackError, install_from_npm

    with pytest.raises(NpmPackError, match=r"`npm pack world-atlas@2\.0\.2` gave no file package/no-such\.json"):
        install_from_npm("world-atlas", "2.0.2", {"package/no-such.json": "x.json"}, tmp_path / "assets")
    assert not (tmp_path / "assets" / "x.json").exists()


def _inside(point, ring) -> bool:
    x, y, inside = point[0], point[1], False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_map_view_draws_ties_as_great_circles_offline_and_filters(site, chromium, basemap):
    base, graph = site
    view = choose_view(graph, ego_of=ISFAHAN, hops=1)
    placed = {n for n, d in view.graph.nodes(data=True) if d.get("lat") is not None and d.get("lon") is not None}
    arcs = [(s, t, d) for s, t, d in view.graph.edges(data=True) if s in placed and t in placed]
    assert arcs
    with Browser(chromium) as browser:
        browser.goto(f"{base}/explore/place/isfahan?hops=1&geo=true")
        browser.wait_for("window.cdkg && window.cdkg.ready", timeout=60)
        browser.evaluate("network.redraw(); true")
        assert browser.evaluate("cdkg.map.rings") == sum(len(c["rings"]) for c in basemap)
        assert browser.evaluate("cdkg.map.arcsDrawn") == len(arcs)
        pos = browser.evaluate(f"network.getPositions([{json.dumps(ISFAHAN)}])[{json.dumps(ISFAHAN)}]")
        assert pos == {"x": pytest.approx(graph.nodes[ISFAHAN]["lon"] * 10, abs=1),  # vis rounds positions
                       "y": pytest.approx(-graph.nodes[ISFAHAN]["lat"] * 10, abs=1)}
        # The same filters: agreements off, only the other ties stay as arcs.
        browser.evaluate("(() => { const box = document.querySelector('#cdkg-filters input[name=relation][value=agreement]');"
                         " box.click(); network.redraw(); return true })()")
        assert browser.evaluate("cdkg.map.arcsDrawn") == sum(1 for *_, d in arcs if d["relation"] != "agreement")
        # The SVG export of the map carries the outlines and the shown ties as great-circle paths.
        import xml.etree.ElementTree as ET
        svg, ns = ET.fromstring(browser.evaluate("cdkg.exports.svg()").split("\n", 1)[1]), "{http://www.w3.org/2000/svg}"
        assert len([p for g in svg.iter(f"{ns}g") if g.get("class") == "basemap" for p in g]) == len(basemap)
        assert len([p for p in svg.iter(f"{ns}path") if p.get("data-tie")]) == browser.evaluate("cdkg.map.arcsDrawn")
        assert browser.console == []
        _assert_local(browser)
