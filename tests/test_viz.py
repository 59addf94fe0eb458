"""Network pages (kg.viz) and the views they draw (kg.explore), on small graphs made here, plus
`cdkg viz` on the curated seed build."""
from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from conftest import run_cli
from kg.core.errors import UnknownNodeError
from kg.network.explore import EdgeFilter, choose_view, country_overview, ego, resolve_node
from kg.network.viz import render
from seed_build import seed_settings

ID = "https://w3id.org/cdkg/id/"
HOSTILE = "</script><script>window.__pwned=1</script> \"q\" 'a' href=x \u202Eevil"
IRAN, ITALY = ID + "place/iran", ID + "place/italy"


def city(g, name, country=IRAN, country_label="Iran", lat=None, lon=None, **extra):
    g.add_node(ID + "place/" + name, label=extra.pop("label", name.title()), kind="city", country=country,
               country_label=country_label, lat=lat, lon=lon, **extra)
    return ID + "place/" + name


def tie(g, a, b, key, relation="agreement", status=None, year=None, directed=False, sources=("a000",)):
    g.add_edge(a, b, key=ID + "agreement/" + key, relation=relation, label=relation, directed=directed, status=status,
               year=year, start=str(year) if year else None, end=None, sources=list(sources), kind="sister-city (twinning)")


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    isfahan = city(g, "isfahan", lat=32.65, lon=51.67, label_fa="اصفهان")
    tehran = city(g, "tehran", lat=35.7, lon=51.4)
    florence = city(g, "florence", ITALY, "Italy", 43.77, 11.25)
    rome = city(g, "rome", ITALY, "Italy")  # no coordinates
    hostile = city(g, "hostile", ITALY, "Italy", label=HOSTILE, label_fa="<b>شهر</b>\u202E")
    g.add_node(ID + "org/ucc", label="Creative Cities", kind="network", country=None, lat=None, lon=None)
    tie(g, isfahan, florence, "i-f", year=1998)
    tie(g, isfahan, rome, "i-r", status="proposed", year=2019)
    tie(g, isfahan, tehran, "i-t", status="dormant")
    tie(g, florence, hostile, "f-h", year=2005)
    tie(g, isfahan, ID + "org/ucc", "i-ucc", relation="membership", directed=True, year=2015)
    tie(g, florence, ID + "org/ucc", "f-ucc", relation="membership", directed=True, year=2014)
    return g


def page_data(html: str) -> tuple[list, list, dict]:
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", html).group(1))
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((.*?)\);\n", html).group(1))
    config = json.loads(re.search(r'<script type="application/json" id="cdkg-config">(.*?)</script>', html, re.S).group(1))
    return nodes, edges, config


def test_page_is_offline_no_remote_url_is_loaded(graph):
    html = render(ego(graph, ID + "place/isfahan", 2))
    assert "vis-network" in html and "cdkgAttach(network, nodes, edges)" in html
    # Nothing the browser would fetch: no src/href/url()/@import pointing off the page.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?(https?:)?//|@import""", html, re.I)
    assert "cdn." not in html and "bootstrap" not in html.lower() and "fonts.googleapis" not in html
    # The only absolute URLs left are inert strings inside vis-network (licence comments, the SVG namespace).
    inert = {"http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
             "http://www.w3.org/2000/svg", "https://github.com/visjs", "https://visjs.github.io/vis-network/",
             "https://github.com/zloirock/core-js", "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
             "https://github.com/uuidjs/uuid#getrandomvalues-not-supported"}
    urls = {u for u in re.findall(r"https?://[^\s\"'<>)\\]+", html) if not u.startswith(ID)}
    assert urls <= inert, urls - inert


def test_hostile_labels_never_become_markup(graph):
    html = render(ego(graph, ID + "place/florence", 1), page_base="/id/", explore_base="/explore")
    assert "window.__pwned" in html  # the label is there ...
    assert "<script>window.__pwned" not in html and "</script><script>window" not in html  # ... but never as markup
    assert "<b>شهر" not in html and "\u202E" not in html and "[U+202E]" in html
    assert "popup.innerHTML" not in html  # pyvis's HTML popup (used when a title contains "href") is not used
    nodes, _, _ = page_data(html)
    hostile = next(n for n in nodes if n["id"].endswith("/hostile"))
    assert hostile["en"].startswith("</script><script>") and "title" not in hostile
    # The panel's title is escaped too: it names the hostile node when it is the focus.
    html = render(ego(graph, ID + "place/hostile", 1))
    assert "<title>&lt;/script&gt;&lt;script&gt;" in html
    assert "<script>window.__pwned" not in html and "</script><script>window" not in html


def test_ego_view_counts_hops_and_styles(graph):
    one = ego(graph, ID + "place/isfahan", 1)
    assert one.graph.number_of_nodes() == 5 and one.graph.number_of_edges() == 5  # hostile is 2 hops away
    two = ego(graph, ID + "place/isfahan", 2)
    assert two.graph.number_of_nodes() == 6 and two.graph.number_of_edges() == 6
    nodes, edges, config = page_data(render(two))
    assert len(nodes) == 6 and len(edges) == 6
    by_key = {e["rid"].rsplit("/", 1)[-1]: e for e in edges}
    # Colour by relation, line by status: dashed not yet in force, faded (same colour) no longer.
    assert by_key["i-r"]["dashes"] and "dashes" not in by_key["i-f"] and "opacity" not in by_key["i-f"]["color"]
    assert by_key["i-t"]["color"]["color"] == by_key["i-f"]["color"]["color"] and by_key["i-t"]["color"]["opacity"] == 0.3
    assert by_key["i-ucc"]["arrows"] == "to" and by_key["i-f"]["arrows"] == ""
    assert by_key["i-f"]["src"] == ["a000"] and by_key["i-f"]["start"] == "1998"
    kinds = {n["id"].rsplit("/", 1)[-1]: n for n in nodes}
    assert kinds["ucc"]["color"] != kinds["tehran"]["color"]
    assert kinds["isfahan"]["size"] > kinds["tehran"]["size"]  # size grows with degree
    assert kinds["isfahan"]["fa"] == "اصفهان" and kinds["isfahan"]["focus"]
    assert kinds["florence"]["nets"] == [ID + "org/ucc"]


def test_hub_is_collapsed_and_its_members_wait_in_the_pool(graph):
    # Five more Creative Cities members: through the network, a 2-hop view of Tehran would pull them all in.
    for i in range(5):
        tie(graph, city(graph, f"member{i}", ITALY, "Italy"), ID + "org/ucc", f"m{i}", relation="membership", directed=True)
    walked = ego(graph, ID + "place/tehran", 3)
    assert all(ID + f"place/member{i}" in walked.graph for i in range(5))
    view = choose_view(graph, ego_of=ID + "place/tehran", hops=3)
    ucc = view.graph.nodes[ID + "org/ucc"]
    assert ucc["hub"] == 5 and not any(ID + f"place/member{i}" in view.graph for i in range(5))
    assert {n for n, d in view.pool_nodes.items() if ID + "org/ucc" in d["via"]} == {ID + f"place/member{i}" for i in range(5)}
    nodes, _, config = page_data(render(view))
    pool = json.loads(re.search(r'<script type="application/json" id="cdkg-pool">(.*?)</script>', render(view), re.S).group(1))
    assert {e["rid"].rsplit("/", 1)[-1] for e in pool["edges"]} == {f"m{i}" for i in range(5)}
    assert config["hubs"] == 1 and "membership" in config["relations"]
    # Labels: the focus and its direct partners (Isfahan) only; the rest on hover.
    labelled = {n["id"].rsplit("/", 1)[-1] for n in nodes if n["label"]}
    assert labelled == {"tehran", "isfahan"} and all(n["en"] for n in nodes)
    # A hub is never collapsed when it is the focus.
    assert "hub" not in choose_view(graph, ego_of=ID + "org/ucc", hops=1).graph.nodes[ID + "org/ucc"]


def test_ego_view_is_capped_keeping_hubs(graph):
    capped = ego(graph, ID + "place/hostile", 2, max_nodes=3)
    assert capped.graph.number_of_nodes() == 3 and capped.notes
    assert ID + "place/isfahan" in capped.graph  # the best connected of the last ring


def test_filters_json_lists_what_the_page_can_filter(graph):
    _, _, config = page_data(render(ego(graph, ID + "place/isfahan", 2)))
    assert config["relations"] == ["agreement", "membership"]
    assert config["statuses"] == ["dormant", "none", "proposed"]
    assert config["years"] == [1998, 2019] and config["undated"] is True
    assert dict(config["countries"]) == {IRAN: "Iran", ITALY: "Italy"}
    assert config["networks"] == [[ID + "org/ucc", "Creative Cities"]]
    assert config["focus"] == ID + "place/isfahan" and config["mode"] == "ego"


def test_server_side_filters_restrict_the_walk(graph):
    only_agreements = EdgeFilter(relations=frozenset({"agreement"}))
    view = ego(graph, ID + "place/isfahan", 2, only_agreements)
    assert ID + "org/ucc" not in view.graph and view.graph.number_of_edges() == 4
    late = ego(graph, ID + "place/isfahan", 1, EdgeFilter(year_from=2000))
    assert set(late.graph) == {ID + "place/isfahan", ID + "place/rome", ID + "org/ucc"}
    members = ego(graph, ID + "place/isfahan", 2, EdgeFilter(network=ID + "org/ucc"))
    assert set(members.graph) == {ID + "place/isfahan", ID + "place/florence", ID + "org/ucc"}


def test_country_overview_aggregates_ties_with_a_breakdown(graph):
    view = country_overview(graph)
    assert set(view.graph) == {IRAN, ITALY, ID + "org/ucc"}
    nodes, edges, config = page_data(render(view))
    iran_italy = next(e for e in edges if {e["from"], e["to"]} == {IRAN, ITALY})
    assert iran_italy["count"] == 2 and sorted(p[3] for p in iran_italy["parts"]) == [1, 1]
    iran = next(n for n in nodes if n["id"] == IRAN)
    assert iran["domestic"] == 1 and [t[0] for t in iran["top"]][0] == ID + "place/isfahan"
    assert config["mode"] == "countries"


def test_geo_layout_fixes_known_positions_and_sets_others_aside(graph):
    nodes, _, config = page_data(render(choose_view(graph, min_degree=1), geo=True))
    by = {n["id"].rsplit("/", 1)[-1]: n for n in nodes}
    assert by["isfahan"]["x"] == pytest.approx(516.7) and by["isfahan"]["y"] == pytest.approx(-326.5)
    assert by["rome"].get("aside") and by["rome"]["x"] >= 1900  # no coordinates: beside the map, not invented
    assert all(n["fixed"] for n in nodes) and config["physics"] is False


def test_resolve_city_by_iri_id_and_labels(graph):
    assert resolve_node(graph, ID + "place/isfahan") == resolve_node(graph, "isfahan") == ID + "place/isfahan"
    assert resolve_node(graph, "اصفهان") == resolve_node(graph, "ISFAHAN") == ID + "place/isfahan"
    with pytest.raises(UnknownNodeError, match="atlantis"):
        resolve_node(graph, "atlantis")


def test_large_page_is_built_from_lists_quickly():
    import time

    g = nx.MultiDiGraph()
    for i in range(20_000):
        g.add_node(f"{ID}place/c{i}", label=f"City {i}", kind="city", country=IRAN, lat=None, lon=None)
    for i in range(20_000):
        g.add_edge(f"{ID}place/c{i}", f"{ID}place/c{(i * 7 + 1) % 20_000}", key=f"{ID}agreement/{i}", relation="agreement")
    start = time.perf_counter()
    nodes, edges, _ = page_data(render(choose_view(g, min_degree=1)))
    assert len(nodes) == 20_000 and len(edges) == 20_000
    assert time.perf_counter() - start < 15  # pyvis add_node/add_edge alone take ~30 s here


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return seed_settings(tmp_path_factory.getbasetemp())  # the session's seed build (read only)


def _env(settings):
    return {"CDKG_DATA_DIR": str(settings.data_dir)}


def test_cli_viz_ego_by_persian_label_and_overview(seed, tmp_path):
    out = tmp_path / "ego.html"
    r = run_cli(["viz", "--ego", "اصفهان", "--hops", "1", "-o", str(out)], seed, env=_env(seed))
    assert r.returncode == 0, r.stderr
    nodes, edges, config = page_data(out.read_text(encoding="utf-8"))
    assert config["focus"] == ID + "place/isfahan" and ID + "place/kazan" in {n["id"] for n in nodes}
    r = run_cli(["viz", "--geo", "--min-degree", "1", "--relation", "agreement", "-o", str(tmp_path / "geo.html")], seed,
                env=_env(seed))
    assert r.returncode == 0, r.stderr
    _, edges, config = page_data((tmp_path / "geo.html").read_text(encoding="utf-8"))
    assert config["relations"] == ["agreement"] and config["geo"] and edges


def test_cli_viz_unknown_city_is_one_line_exit_2(seed, tmp_path):
    r = run_cli(["viz", "--ego", "Atlantis", "-o", str(tmp_path / "x.html")], seed, env=_env(seed))
    assert r.returncode == 2 and "Atlantis" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()
    r = run_cli(["viz", "--hops", "4", "--ego", "isfahan"], seed, env=_env(seed))
    assert r.returncode == 2
