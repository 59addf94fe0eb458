"""Relations project to network edges as the ontology's annotations say."""
from __future__ import annotations

import networkx as nx

from kg.network import centrality, draw, project

ID = "https://w3id.org/cdkg/id/"


def test_agreements_project_to_undirected_edges_keeping_the_fact(store):
    g = project(store)
    edges = g.get_edge_data(ID + "place/isfahan", ID + "place/kazan")
    assert edges and ID + "agreement/isfahan-kazan-sister-city" in edges
    assert edges[ID + "agreement/isfahan-kazan-sister-city"]["directed"] is False


def test_aid_projects_from_sender_to_recipient_only_once(store):
    g = project(store)
    aid = [(s, t, d) for s, t, k, d in g.edges(keys=True, data=True) if k == ID + "event/xian-isfahan-aid"]
    assert [(s.rsplit("/", 1)[-1], d["label"], d["directed"]) for s, t, d in aid] == [("xian", "aid to", True)]


def test_isfahan_is_well_connected_and_labels_are_bilingual(store):
    g = project(store)
    partners = {n for n in nx.all_neighbors(g, ID + "place/isfahan")}
    assert {ID + "place/kazan", ID + "place/xian", ID + "place/florence", ID + "place/hyderabad"} <= partners
    assert centrality(g, g.number_of_nodes())[0][1] >= dict(centrality(g, g.number_of_nodes()))[ID + "place/isfahan"] > 0
    assert g.nodes[ID + "place/isfahan"]["label_fa"] == "اصفهان"


def test_drawing_is_self_contained_html(store, tmp_path):
    out = draw(project(store), tmp_path / "net.html")
    html = out.read_text(encoding="utf-8")
    assert "Kazan" in html and "vis-network" in html and "https://cdn" not in html
