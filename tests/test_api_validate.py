"""POST /validate on the real service (uvicorn on 127.0.0.1): formats by Content-Type, JSON or Turtle
reports, errors with positions, size limit, and nothing stored."""
from __future__ import annotations

import json

import httpx
import pytest
import rdflib

from conftest import CDKG
from seed_build import cli_env, seed_settings
from service import running_service

TTL = """@prefix cd: <https://w3id.org/cdkg/ontology#> .
@prefix cdc: <https://w3id.org/cdkg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/cdkg/id/place/> .
@prefix agr: <https://w3id.org/cdkg/id/agreement/> .
@prefix doc: <https://w3id.org/cdkg/id/document/> .
agr:isfahan-kazan-friendship-test a cd:Agreement ; rdfs:label "Isfahan – Kazan (test)"@en , "اصفهان و کازان (آزمون)"@fa ;
    cd:agreementKind cdc:agreement-friendship ; cd:partyA place:isfahan ; cd:partyB place:kazan ;
    cd:attestedBy [ a cd:Attestation ; cd:document doc:a000 ; cd:quote "نقل قول ساختگی"@fa ] .
"""
ONE_PARTY = TTL.replace(" ; cd:partyB place:kazan", "")
NT = ('<https://w3id.org/cdkg/id/agreement/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cdkg/ontology#Agreement> .\n')
JSONLD = json.dumps({"@id": "https://w3id.org/cdkg/id/agreement/x", "@type": "https://w3id.org/cdkg/ontology#Agreement"})
TRIG = "<https://w3id.org/cdkg/graph/x> { " + NT.strip() + " }\n"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    settings = seed_settings(tmp_path_factory.getbasetemp())
    env = {**cli_env(settings), "CDKG_VALIDATE_MAX_BYTES": "20000"}
    with running_service(settings.build_dir, env=env, startup=90, command=[*CDKG, "serve"]) as base:
        yield base


def _post(base, body, ctype, **headers):
    return httpx.post(f"{base}/validate", content=body.encode() if isinstance(body, str) else body,
                      headers={"content-type": ctype, **headers}, timeout=60)


def test_valid_turtle_conforms_in_context_as_json(service):
    r = _post(service, TTL, "text/turtle")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["conforms"] is True and data["counts"]["Violation"] == 0
    assert data["nodesChecked"] >= 3


def test_violations_are_reported_with_labels(service):
    data = _post(service, ONE_PARTY, "text/turtle").json()
    assert data["conforms"] is False
    partyb = [r for r in data["results"] if r["sourceShape"].endswith("Agreement-partyB")]
    assert partyb and partyb[0]["severity"] == "Violation" and partyb[0]["labels"]["en"] == "Isfahan – Kazan (test)"
    assert "cd:partyB" in partyb[0]["messages"][0]


def test_turtle_report_on_accept(service):
    r = _post(service, ONE_PARTY, "text/turtle", accept="text/turtle")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    report = next(g.subjects(rdflib.RDF.type, sh.ValidationReport))
    assert g.value(report, sh.conforms).toPython() is False


@pytest.mark.parametrize("body,ctype", [(NT, "application/n-triples"), (JSONLD, "application/ld+json"),
                                        (TRIG, "application/trig")])
def test_other_syntaxes_by_content_type(service, body, ctype):
    r = _post(service, body, ctype)
    assert r.status_code == 200, r.text
    shapes = {x["sourceShape"].rsplit("#", 1)[-1] for x in r.json()["results"]}
    assert {"Agreement-partyA", "Agreement-kind"} <= shapes  # a bare agreement node


def test_syntax_error_is_400_with_line_and_column(service):
    r = _post(service, TTL.replace("cd:partyA place:isfahan ;", "cd:partyA place:isfahan ;;; ]"), "text/turtle")
    assert r.status_code == 400
    data = r.json()
    assert data["line"] == 8 and isinstance(data["column"], int) and data["error"] == "syntax error"


def test_unsupported_type_is_415_and_large_body_413(service):
    assert _post(service, TTL, "application/pdf").status_code == 415
    assert _post(service, TTL, "").status_code == 415
    big = TTL + "# " + "x" * 30000 + "\n"
    r = _post(service, big, "text/turtle")
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_nothing_is_stored(service):
    before = httpx.get(f"{service}/health").json()["quads"]
    _post(service, TTL, "text/turtle")
    assert httpx.get(f"{service}/health").json()["quads"] == before
    ask = httpx.get(f"{service}/sparql", params={"query": "ASK { <https://w3id.org/cdkg/id/agreement/isfahan-kazan-friendship-test> ?p ?o }"})
    assert ask.json()["boolean"] is False
