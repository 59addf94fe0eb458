"""Network analysis as a user sees it: explained paths, ego networks, timelines, measures and `cdkg analyze`."""
from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from kg.network import analysis
from kg.core.errors import NetworkInputError, UnknownNodeError
from kg.network.projection import city_graph, project
from tests.conftest import run_cli

ID = "https://w3id.org/cdkg/id/"
ISFAHAN, KYOTO = ID + "place/isfahan", ID + "place/gn-1857910"


@pytest.fixture(scope="module")
def full(store):
    return project(store)


def test_path_from_isfahan_is_explained_as_sourced_ties(full):
    p = analysis.explain_path(full, "Isfahan", KYOTO)
    assert p["connected"] and p["length"] == 2 == len(p["hops"])
    assert p["hops"][0]["from"] == ISFAHAN and p["hops"][-1]["to"] == KYOTO
    assert p["hops"][0]["to"] == p["hops"][1]["from"]
    for hop in p["hops"]:
        for t in hop["ties"]:
            s, o, d = next((s, o, d) for s, o, k, d in full.edges(keys=True, data=True) if k == t["relation_iri"])
            assert {s, o} == {hop["from"], hop["to"]} or t["relation"] != "agreement"
            assert t["sources"] == d["sources"] and t["sources"]  # every hop leads back to its documents
            assert (t["kind"], t["status"], t["start"]) == (d["kind"], d["status"], d["start"])
    first = {t["relation_iri"]: t for t in p["hops"][0]["ties"]}
    florence = first.get(ID + "agreement/isfahan-florence-sister-city")
    if florence:
        # the curated tie is also in Wikidata (issue 12): one node, attested by both
        assert florence["status"] == "revived" and florence["sources"] == ["a001", "a002", "a004", "wikidata-twin-cities"]


def test_unknown_and_ambiguous_cities_are_clear_errors(full):
    with pytest.raises(UnknownNodeError, match="no city 'Atlantis'.*IRI"):
        analysis.explain_path(full, "Isfahan", "Atlantis")
    with pytest.raises(UnknownNodeError) as err:
        analysis.ego(full, "Barcelona")
    assert ID + "place/barcelona" in str(err.value) and "Give the IRI" in str(err.value)
    assert analysis.resolve_city(full, "اصفهان") == ISFAHAN


def test_ego_network_grows_with_hops(full):
    one, two = analysis.ego(full, "Isfahan", 1), analysis.ego(full, "Isfahan", 2)
    assert ID + "place/kazan" in one and KYOTO not in one and KYOTO in two
    assert one.graph["centre"] == ISFAHAN and set(one) < set(two)
    with pytest.raises(NetworkInputError, match="1, 2 or 3"):
        analysis.ego(full, "Isfahan", 4)


def test_growth_timeline_counts_ties_by_start_year_and_keeps_undated_apart(full):
    t = analysis.growth_timeline(full)
    by_year = {r["year"]: r for r in t["rows"]}
    assert by_year[2019]["agreement"] == 3  # Barcelona, Florence, Kuala Lumpur: dormant from 2019-09
    assert sum(r["total"] for r in t["rows"]) + t["undated_total"] == full.number_of_edges()
    assert t["undated"]["agreement"] > 20_000


def test_partner_timeline_sits_beside_reported_figures(store, full):
    t = analysis.partner_timeline(store, full, "Isfahan")
    counts = [r["partners (cumulative, dated)"] for r in t["rows"]]
    assert counts == sorted(counts) and counts[0] == 3
    partners = {o for s, o, d in full.edges(data=True) if s == ISFAHAN and d["relation"] == "agreement"}
    partners |= {s for s, o, d in full.edges(data=True) if o == ISFAHAN and d["relation"] == "agreement"}
    assert t["partners_known"] == len(partners)
    reported = {(r["value"], r["reference date"], r["document"]) for r in t["reported"] if r["measure"] == "number of sister cities"}
    assert {(13, "2020-07-15", "a002"), (13, "2021-02-04", "a004"), (18, None, "a000")} <= reported


def test_measures_state_how_they_were_computed(store, full):
    small = analysis.measures(project(store, country="IR"))
    assert small.summary["betweenness"] == "exact" and small.nodes[0]["degree"] >= small.nodes[-1]["degree"]
    big = analysis.measures(full, k=20, seed=3)
    assert big.summary["betweenness"].startswith("sampled (k=20 of ") and big.summary["components"] > 1
    assert big.summary["largest component"] == max(sum(1 for r in big.nodes if r["component"] == 0), 0)
    h = city_graph(full)
    assert analysis.communities(h, seed=3) == analysis.communities(h, seed=3)
    values, note = analysis.eigenvector(h, max_iter=1)
    assert values == {} and "did not converge" in note


def test_cli_writes_files_that_parse(settings, built, tmp_path):
    r = run_cli(["analyze", "timeline", "Isfahan", "--out", str(tmp_path)], settings)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "partner-timeline.csv").open(encoding="utf-8")))
    assert rows[0] == {"year": "2019", "partners (cumulative, dated)": "3"}
    assert json.loads((tmp_path / "partner-timeline.json").read_text(encoding="utf-8"))["city"] == ISFAHAN
    figures = list(csv.DictReader((tmp_path / "reported-figures.csv").open(encoding="utf-8")))
    assert any(f["value"] == "13" and f["document"] == "a002" for f in figures)
    assert (tmp_path / "partner-timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(tmp_path / "partner-timeline.svg").getroot().tag.endswith("svg")
    r = run_cli(["analyze", "measures", "--country", "IR", "--top", "5", "--out", str(tmp_path)], settings)
    assert r.returncode == 0, r.stderr
    assert "Isfahan" in r.stdout
    measured = list(csv.DictReader((tmp_path / "measures.csv").open(encoding="utf-8")))
    assert measured and {"label", "degree", "betweenness", "eigenvector", "community"} <= set(measured[0])
    assert json.loads((tmp_path / "measures.json").read_text(encoding="utf-8"))["summary"]["betweenness"] == "exact"
    for suffix in (".png", ".svg"):
        assert (tmp_path / f"degree-distribution{suffix}").stat().st_size > 1000


@pytest.mark.parametrize("args, words", [
    (["path", "Isfahan", "Atlantis"], "no city 'Atlantis'"),
    (["ego", "Isfahan", "--as-of", "2020-02-30"], "not a date"),
])
def test_cli_bad_input_exits_2_with_one_line(settings, built, args, words):
    r = run_cli(["analyze", *args], settings)
    assert r.returncode == 2 and words in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
