"""Place labels (kg/sources/labels.py): the common English name from the source that states it,
GeoNames' form as an alternative, and Persian labels for Iranian places and their partners."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT
from kg.core.query import query_library, run_query
from kg.sources.labels import persian_candidates, persian_spelling

PLACE = "https://w3id.org/cdkg/id/place/"
GRAPH = "https://w3id.org/cdkg/graph/"
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cd: <https://w3id.org/cdkg/ontology#>
"""


def _labels(store, place: str, prop: str, lang: str) -> set[tuple[str, str]]:
    q = PREFIXES + f'SELECT ?l ?g WHERE {{ GRAPH ?g {{ <{place}> {prop} ?l }} FILTER(lang(?l) = "{lang}") }}'
    return {(r["l"].value, r["g"].value.removeprefix(GRAPH)) for r in store.query(q)}


@pytest.mark.parametrize("geonames_id, english, geonames_form", [
    (122285, "Nishapur", "Neyshābūr"), (132144, "Hamadan", "Hamadān"), (121801, "Urmia", "Orūmīyeh"),
])
def test_iranian_city_is_labelled_with_its_common_english_name(store, geonames_id, english, geonames_form):
    place = f"{PLACE}gn-{geonames_id}"
    labels = _labels(store, place, "rdfs:label", "en")
    # one English label, stated by the Wikidata twin-city data (Wikidata's English label)
    assert labels == {(english, "wikidata-twin-cities/twin-links")}
    assert (geonames_form, "geonames/places") in _labels(store, place, "skos:altLabel", "en")


@pytest.mark.parametrize("place, english", [("isfahan", "Isfahan"), ("gn-124665", "Mashhad"), ("gn-113646", "Tabriz"),
                                            ("gn-115019", "Shiraz")])
def test_city_whose_geonames_name_is_the_common_name_keeps_it(store, place, english):
    assert {label for label, _ in _labels(store, PLACE + place, "rdfs:label", "en")} == {english}


def test_no_place_has_two_english_labels(store):
    q = PREFIXES + """SELECT ?p WHERE { ?p a cd:Place ; rdfs:label ?a, ?b FILTER(lang(?a) = "en" && lang(?b) = "en" && ?a < ?b) } LIMIT 5"""
    assert [r["p"].value for r in store.query(q)] == []


@pytest.mark.parametrize("place, persian, graph", [
    ("gn-132144", "همدان", "geonames/persian-names"), ("gn-113646", "تبریز", "geonames/persian-names"),
    ("gn-121801", "ارومیه", "geonames/persian-names"),  # GeoNames also has ارومیّه (shadda) and the Arabic أرومية
    ("isfahan", "اصفهان", "seed-articles/entities"),    # a curated label wins: nothing is added beside it
])
def test_iranian_city_has_one_persian_label_with_its_source(store, place, persian, graph):
    assert _labels(store, PLACE + place, "rdfs:label", "fa") == {(persian, graph)}


def test_persian_label_coverage_query_agrees_with_the_build_manifest(store, built):
    rows = run_query(store, query_library(ROOT / "queries")["persian-label-coverage"].text).values()
    groups = {"Iranian place": "iranian-places", "partner of an Iranian city": "partners-of-iranian-cities"}
    coverage = built.imports["labels"]["persian"]
    for group, key in groups.items():
        places = {r["place"] for r in rows if r["group"] == group}
        labelled = {r["place"] for r in rows if r["group"] == group and r.get("persian")}
        assert (len(places), len(labelled)) == (coverage[key]["places"], coverage[key]["labelled"])
        assert 0 < len(labelled) < len(places)
    unresolved = built.imports["labels"]["persian_unresolved"]
    assert all(not r.get("persian") for r in rows if r["place"] in unresolved)
    json.dumps(unresolved)  # lands in manifest.json as it is


def test_persian_spelling_refuses_arabic_urdu_and_administrative_forms():
    assert persian_spelling("نيسابور") is None            # Arabic yeh
    assert persian_spelling("الأهواز") is None            # the Arabic article
    assert persian_spelling("اصفہان") is None             # Urdu heh
    assert persian_spelling("شهرستان ارومیه") is None     # the county, not the city
    assert persian_spelling("ارومیّه") == "ارومیه"         # a shadda is not part of the spelling
    assert persian_spelling("Hamadan") is None


def test_spelling_variants_of_one_persian_name_count_once():
    assert persian_candidates(["بندر عباس", "بندرعباس", "بندر\u200cعباس"]) == ["بندر\u200cعباس"]
    assert persian_candidates(["نیشابور", "نیشاپور", "نيسابور"]) == ["نیشابور", "نیشاپور"]  # two names: none is chosen


def test_iranian_place_named_only_with_arabic_keyboard_letters_gets_the_persian_letters(store):
    # GeoNames has only كازرون (Arabic kaf) for Kazerun, Iran
    assert _labels(store, PLACE + "gn-128321", "rdfs:label", "fa") == {("کازرون", "geonames/persian-names")}
