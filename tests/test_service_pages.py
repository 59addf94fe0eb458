"""Linked-data pages, the home page, ontology docs, downloads and search, through the real service.

The service runs on a private copy of the build with one hostile test entity added (markup, quotes
and a right-to-left override in its labels, a javascript: IRI as a value) to prove pages escape data.
"""
from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest

from service import add_quads, copy_build, running_service

HOSTILE = "https://w3id.org/cdkg/id/test/hostile"
HOSTILE_LABEL = "<script>alert('x')</script> \"quoted\" \u202Eevil"


@pytest.fixture(scope="module")
def site(built, settings, tmp_path_factory):
    build = copy_build(settings, tmp_path_factory.mktemp("pages"))
    g = ox.NamedNode("https://w3id.org/cdkg/graph/test/hostile")
    node, n = ox.NamedNode(HOSTILE), ox.NamedNode
    add_quads(build, [
        ox.Quad(node, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("https://w3id.org/cdkg/ontology#City"), g),
        ox.Quad(node, n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(HOSTILE_LABEL, language="en"), g),
        ox.Quad(node, n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("<b>شهر</b>\u202E", language="fa"), g),
        ox.Quad(node, n("http://www.w3.org/2000/01/rdf-schema#seeAlso"), n("javascript:alert(1)"), g),
    ])
    with running_service(build) as base:
        yield base


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_entity_page_html_shows_labels_relations_statuses_and_sources(site):
    r = httpx.get(f"{site}/id/place/isfahan", headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<bdi lang="fa" dir="rtl">اصفهان</bdi>' in html or 'lang="fa" dir="rtl">اصفهان' in html
    assert "Isfahan" in html and "seed-articles/" in html  # facts carry their source graph
    assert 'href="/id/place/kazan"' in html  # links onward
    assert "2020-07-15" in html and "<time>" in html  # dated status assertions
    assert "<blockquote" in html and 'dir="rtl"' in html  # Persian quotes, right to left
    assert 'href="/id/document/a002"' in html  # the source document of a fact


def test_entity_as_turtle_jsonld_and_by_extension(site):
    r = httpx.get(f"{site}/id/place/isfahan", headers={"accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert any(str(q.object) == '"اصفهان"@fa' for q in triples)
    r = httpx.get(f"{site}/id/place/isfahan", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json") and json.loads(r.text)
    for ext, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD), (".nt", ox.RdfFormat.N_TRIPLES),
                     (".trig", ox.RdfFormat.TRIG), (".rdf", ox.RdfFormat.RDF_XML)):
        r = httpx.get(f"{site}/id/place/isfahan{ext}", headers=BROWSER)
        assert r.status_code == 200 and list(ox.parse(r.content, format=fmt)), ext


def test_unknown_entity_is_404(site):
    r = httpx.get(f"{site}/id/place/atlantis", headers=BROWSER)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "atlantis" in r.text
    assert httpx.get(f"{site}/id/place/atlantis", headers={"accept": "text/turtle"}).status_code == 404
    assert httpx.get(f"{site}/id/no such thing", headers=BROWSER).status_code == 404


def test_hostile_data_is_escaped_on_every_page(site):
    pages = [httpx.get(f"{site}/id/test/hostile", headers=BROWSER, timeout=60).text,
             httpx.get(f"{site}/search", params={"q": "script", "format": "html"}, timeout=60).text,
             httpx.get(f"{site}/search", params={"q": "<script>alert(2)</script>", "format": "html"}, timeout=60).text]
    for html in pages:
        assert "<script>alert" not in html and "<b>شهر" not in html
        assert "\u202E" not in html  # right-to-left overrides are shown, not obeyed
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages[0] and "[U+202E]" in pages[0]


def test_home_page(site):
    r = httpx.get(f"{site}/", headers=BROWSER, timeout=60)  # the first request may wait for the counts
    html = r.text
    assert r.status_code == 200 and "City Diplomacy Knowledge Graph" in html
    for link in ('href="/sparql"', 'href="/ontology"', 'href="/downloads"', 'href="/search"'):
        assert link in html
    assert "creativecommons.org/licenses/by/4.0" in html  # licences per source
    assert "seed-articles" in html and "Entities per class" in html and "Network views" in html
    summary = httpx.get(f"{site}/", headers={"accept": "application/json"}).json()
    assert summary["classes"]["https://w3id.org/cdkg/ontology#City"] > 10


def test_ontology_documentation_and_turtle(site):
    r = httpx.get(f"{site}/ontology", headers=BROWSER, timeout=120)
    assert r.status_code == 200 and "pyLODE" in r.text and "Agreement" in r.text
    r = httpx.get(f"{site}/ontology", headers={"accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle") and list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))


def test_download_is_the_whole_dataset(site):
    quads = httpx.get(f"{site}/health").json()["quads"]
    r = httpx.get(f"{site}/downloads/cdkg.nq", timeout=120)
    assert r.status_code == 200 and len(list(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))) == quads
    assert httpx.get(f"{site}/downloads/secrets.txt").status_code == 404


def test_openapi_documents_the_json_routes(site):
    spec = httpx.get(f"{site}/openapi.json").json()
    assert {"/search", "/health", "/sparql", "/update", "/rdf-graph-store"} <= set(spec["paths"])
    assert httpx.get(f"{site}/docs").status_code == 200


def search(site: str, q: str, **params) -> list[dict]:
    r = httpx.get(f"{site}/search", params={"q": q, **params}, headers={"accept": "application/json"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["hits"]


@pytest.mark.parametrize("q", ["Isfahan", "isfahan", "Esfahan", "اصفهان", "اِصفَهان", "ﺍﺻﻔﻬﺎﻥ"])
def test_search_finds_isfahan_in_any_spelling(site, q):
    hits = search(site, q)
    assert hits[0]["iri"] == "https://w3id.org/cdkg/id/place/isfahan" and hits[0]["page"] == "/id/place/isfahan"


@pytest.mark.parametrize("q", ["شهرداری اصفهان", "شهرداري اصفهان", "شهرداریاصفهان", "شهرداری\u200cاصفهان"])
def test_search_tolerates_arabic_letters_and_zwnj(site, q):
    assert search(site, q)[0]["iri"] == "https://w3id.org/cdkg/id/org/isfahan-municipality"


def test_search_kinds_and_persian_kaf(site):
    assert search(site, "كازان", kind="city")[0]["iri"] == "https://w3id.org/cdkg/id/place/kazan"  # Arabic kaf
    assert all(h["kind"] == "agreement" for h in search(site, "Isfahan", kind="agreement"))
    assert search(site, "Kraków")[0]["iri"] == "https://w3id.org/cdkg/id/place/krakow"


def test_search_input_never_reaches_sparql(site):
    quads = httpx.get(f"{site}/health").json()["quads"]
    for q in ['" } ; DROP ALL ; #', "') } UNION { ?s ?p ?o", "\\u0022"]:
        assert all(h["iri"].startswith("https://w3id.org/cdkg/id/") for h in search(site, q))  # names, nothing else
    assert httpx.get(f"{site}/health").json()["quads"] == quads


def test_search_html(site):
    r = httpx.get(f"{site}/search", params={"q": "Esfahan"}, headers=BROWSER)
    assert r.headers["content-type"].startswith("text/html") and 'href="/id/place/isfahan"' in r.text
