"""A researcher's client, unchanged: SPARQLWrapper against the real service in every result format."""
from __future__ import annotations

import csv
import io
import json
from xml.dom.minidom import Document

import pytest
import rdflib
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

SELECT = "PREFIX place: <https://w3id.org/cdkg/id/place/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " \
         "SELECT ?l WHERE { place:isfahan rdfs:label ?l } ORDER BY ?l"
ASK = "ASK { <https://w3id.org/cdkg/id/place/isfahan> a <https://w3id.org/cdkg/ontology#City> }"
CONSTRUCT = "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { " \
            "BIND(<https://w3id.org/cdkg/id/place/isfahan> AS ?s) ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.fixture(scope="module")
def endpoint(readonly):
    return f"{readonly}/sparql"


def client(endpoint: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    c = SPARQLWrapper(endpoint)
    c.setQuery(query)
    c.setReturnFormat(fmt)
    c.setMethod(method)
    return c


@pytest.mark.parametrize("method", [GET, POST])
def test_select_json(endpoint, method):
    res = client(endpoint, SELECT, JSON, method).queryAndConvert()
    assert {b["l"]["value"] for b in res["results"]["bindings"]} >= {"Isfahan", "اصفهان"}


def test_select_xml(endpoint):
    doc = client(endpoint, SELECT, XML).queryAndConvert()
    assert isinstance(doc, Document)
    assert "اصفهان" in [n.firstChild.nodeValue for n in doc.getElementsByTagName("literal")]


def test_select_csv(endpoint):
    rows = list(csv.reader(io.StringIO(client(endpoint, SELECT, CSV).queryAndConvert().decode())))
    assert rows[0] == ["l"] and ["اصفهان"] in rows


def test_select_tsv(endpoint):
    lines = client(endpoint, SELECT, TSV).queryAndConvert().decode().splitlines()
    assert lines[0] == "?l" and '"اصفهان"@fa' in lines


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(endpoint, fmt):
    res = client(endpoint, ASK, fmt).queryAndConvert()
    value = res["boolean"] if fmt == JSON else res.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"
    assert value is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML, JSON])
def test_construct_in_every_rdf_format(endpoint, fmt):
    res = client(endpoint, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(res, bytes):  # Turtle and N3 come back as bytes
        res = rdflib.Graph().parse(data=res.decode(), format="turtle")
    elif isinstance(res, (dict, list)):  # JSON on a graph query: JSON-LD
        res = rdflib.Graph().parse(data=json.dumps(res), format="json-ld")
    assert isinstance(res, rdflib.Graph)
    assert rdflib.Literal("اصفهان", lang="fa") in set(res.objects())
