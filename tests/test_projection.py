"""The projection to networkx: filters, dates, statuses, sources and node attributes as a user reads them."""
from __future__ import annotations

import pytest

import kg.network
from kg.core.errors import NetworkInputError
from kg.network.projection import city_graph, co_membership, project

ID = "https://w3id.org/cdkg/id/"
ISFAHAN, BARCELONA, KRAKOW, XIAN = (ID + f"place/{c}" for c in ("isfahan", "barcelona", "krakow", "xian"))
UNESCO = ID + "org/unesco-creative-cities-network"


@pytest.fixture(scope="module")
def full(store):
    return project(store)


def tie(g, a, b, key):
    return (g.get_edge_data(a, b) or {}).get(key) or (g.get_edge_data(b, a) or {}).get(key)


def test_edges_keep_the_fact_its_dates_with_precision_and_its_sources(full):
    d = tie(full, ISFAHAN, BARCELONA, ID + "agreement/isfahan-barcelona-sister-city")
    assert d["relation"] == "agreement" and d["directed"] is False and d["kind"] == "sister-city (twinning)"
    assert d["status"] == "revived"  # the 2020-07-15 assertion is later than the 2019 'dormant' ones
    assert (d["start"], d["year"], d["start_basis"]) == ("2019-09", 2019, "first attested")
    assert d["sources"] == ["a001", "a002", "a004", "wikidata-twin-cities"]  # also in Wikidata (issue 12): one node, both attest
    kazan = tie(full, ISFAHAN, ID + "place/kazan", ID + "agreement/isfahan-kazan-sister-city")
    assert kazan["start"] is None and kazan["sources"] == ["a000", "twin-towns-wikipedia"]


def test_node_attributes_come_from_the_data_only(full):
    n = full.nodes[ISFAHAN]
    assert (n["label"], n["label_fa"], n["kind"], n["country_label"]) == ("Isfahan", "اصفهان", "city", "Iran")
    assert n["country"] == ID + "place/iran" and "City" in n["types"]
    assert (n["lat"], n["lon"]) == (32.65246, 51.67462)  # the gazetteer's geo:lat/geo:long, not a computed point
    people = [d for _, d in full.nodes(data=True) if d["kind"] == "person"]
    assert people and all(d["lat"] is None and d["lon"] is None for d in people)
    assert full.nodes[UNESCO]["kind"] == "network"


def test_as_of_keeps_ties_known_by_that_day_with_their_status_then(store, full):
    g = project(store, as_of="2020-01-01")
    barcelona = tie(g, ISFAHAN, BARCELONA, ID + "agreement/isfahan-barcelona-sister-city")
    assert barcelona["status"] == "dormant"  # revived only in 2020-07
    assert not g.has_edge(ISFAHAN, KRAKOW) and not g.has_edge(KRAKOW, ISFAHAN)  # first named 2020-07-15
    assert all(d["start"] <= "2020-01-01" for *_, d in g.edges(data=True))
    undated = sum(1 for *_, d in full.edges(data=True) if d["start"] is None)
    assert g.graph["undated_excluded"] == undated > 20_000 and g.graph["as_of"] == "2020-01-01"
    later = project(store, as_of="2020-07-15")
    assert tie(later, ISFAHAN, KRAKOW, ID + "agreement/isfahan-krakow-sister-city")["status"] == "candidate"
    assert later.number_of_edges() == sum(1 for *_, d in full.edges(data=True) if d["start"] and d["start"] <= "2020-07-15")


def test_status_kind_and_relation_filters(store):
    signed = project(store, statuses=["signed"])
    assert signed.number_of_edges() and {d["status"] for *_, d in signed.edges(data=True)} == {"signed"}
    assert tie(signed, ISFAHAN, XIAN, ID + "agreement/isfahan-xian-sister-city")
    assert not signed.has_edge(ISFAHAN, BARCELONA)
    mou = project(store, kinds=["memorandum of understanding"])
    assert [k for *_, k in mou.edges(keys=True)] == [ID + "agreement/isfahan-hyderabad-mou"]
    aid = project(store, relations=["aid"])
    assert {d["relation"] for *_, d in aid.edges(data=True)} == {"aid"}
    sent = [(s, d["label"]) for s, t, k, d in aid.edges(keys=True, data=True) if k == ID + "event/xian-isfahan-aid"]
    assert sent == [(XIAN, "aid to")] and all(d["directed"] for *_, d in aid.edges(data=True))
    assert aid.graph["relations"] == ["aid"]


def test_country_filter_by_iri_name_or_iso_code(store):
    by_code, by_name = project(store, country="IR"), project(store, country="Iran")
    assert sorted(by_code.edges(keys=True)) == sorted(by_name.edges(keys=True)) and by_code.number_of_edges() > 10
    assert by_code.graph["country"] == ID + "place/iran"
    for s, t in by_code.edges():
        assert ID + "place/iran" in (by_code.nodes[s]["country"], by_code.nodes[t]["country"])
    assert by_code.has_edge(ISFAHAN, ID + "place/kazan")
    kyoto = ID + "place/gn-1857910"
    assert not by_code.has_edge(XIAN, kyoto) and not by_code.has_edge(kyoto, XIAN)  # no Iranian endpoint


def test_network_filter_keeps_memberships_and_ties_among_members(store):
    g = project(store, network="UNESCO Creative Cities Network")
    members = {s for s, t, d in g.edges(data=True) if d["relation"] == "membership"}
    assert g.graph["network"] == UNESCO and ISFAHAN in members and len(members) > 300
    for s, t, d in g.edges(data=True):
        assert (t == UNESCO and d["relation"] == "membership") or (s in members and t in members)
    assert g.has_edge(ISFAHAN, ID + "place/kazan")  # both creative cities


@pytest.mark.parametrize("kwargs, words", [
    ({"as_of": "2020-02-30"}, ["2020-02-30", "YYYY-MM-DD"]),
    ({"statuses": ["signd"]}, ["signd", "'signed'", "'dormant'"]),
    ({"relations": ["twinning"]}, ["twinning", "agreement", "membership"]),
    ({"country": "Atlantis"}, ["Atlantis", "ISO"]),
    ({"network": "Nowhere League"}, ["Nowhere League", "Eurocities"]),
])
def test_bad_filters_say_what_and_how_to_fix(store, kwargs, words):
    with pytest.raises(NetworkInputError) as err:
        project(store, **kwargs)
    assert all(w in str(err.value) for w in words)


def test_city_graph_aggregates_parallel_ties_and_co_membership_links_cities(full):
    h = city_graph(full)
    assert {d["kind"] for _, d in h.nodes(data=True)} == {"city"}
    hyd = h.edges[ISFAHAN, ID + "place/hyderabad"]
    assert hyd["count"] == 2 and hyd["relations"] == ["agreement"]  # a sister-city tie and an MoU
    xian = h.edges[ISFAHAN, XIAN]
    assert xian["relations"] == ["agreement", "aid"] and ID + "event/xian-isfahan-aid" in xian["ties"]
    m = co_membership(full)
    # both in the Creative Cities Network, and both Metropolis members per data/network-members (issue 12)
    assert m.edges[ISFAHAN, ID + "place/kazan"]["networks"] == [ID + "org/metropolis", UNESCO]


def test_network_module_keeps_its_names(store):
    assert kg.network.project is project
