"""The service, started for real with `cdkg serve` (uvicorn on 127.0.0.1), queried over HTTP."""
from __future__ import annotations

import os
import shutil
import subprocess

import httpx
import pytest

from conftest import CDKG, ROOT
from service import free_port, running_service


@pytest.fixture(scope="module")
def server(readonly):
    return readonly  # the session's read-only server: the real `cdkg serve`


def test_health_reports_quads(server):
    r = httpx.get(f"{server}/health")
    assert r.json()["status"] == "ok" and r.json()["quads"] > 2000


def test_sparql_get_answers_json(server):
    q = 'SELECT ?l WHERE { place:isfahan rdfs:label ?l FILTER(lang(?l) = "fa") }'
    r = httpx.get(f"{server}/sparql", params={"query": q})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == ["اصفهان"]


def test_sparql_default_graph_is_union_with_inferences(server):
    r = httpx.get(f"{server}/sparql", params={"query": "ASK { place:kazan cd:hasAgreementWith place:isfahan }"})
    assert r.json()["boolean"] is True


def test_sparql_post_and_csv(server):
    r = httpx.post(f"{server}/sparql", content="SELECT ?c WHERE { ?c a cd:Country } ORDER BY ?c LIMIT 2",
                   headers={"content-type": "application/sparql-query", "accept": "text/csv"})
    assert r.status_code == 200 and r.text.splitlines()[0] == "c"


def test_sparql_syntax_error_is_400_with_position(server):
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400 and "SPARQL syntax error" in r.text and "1:" in r.text


def test_sparql_missing_query_is_400(server):
    # GET without a query is the Service Description (SPARQL 1.1 SD); a POST must carry a query.
    assert httpx.post(f"{server}/sparql", data={"format": "json"}).status_code == 400
    r = httpx.get(f"{server}/sparql", headers={"accept": "text/turtle"}, timeout=60)
    assert r.status_code == 200 and "sd:Service" in r.text


def test_sparql_unservable_format_is_406(server):
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers={"accept": "image/png"})
    assert r.status_code == 406


def test_hostile_label_text_is_data_not_code(server):
    q = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>\' ; DROP" AS ?x) }'
    r = httpx.get(f"{server}/sparql", params={"query": q})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "<script>alert(1)</script>' ; DROP"


def test_serve_builds_a_stale_build_in_a_child_then_serves_and_refuses_a_broken_build(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "seed-articles", data / "seed-articles")
    env = {"CDKG_DATA_DIR": str(data)}
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    with running_service(build_dir, env=env, startup=180, command=[*CDKG, "serve"]) as base:
        assert httpx.get(f"{base}/health").json()["quads"] > 2000  # built first, then served
    (data / "seed-articles" / "agreements.ttl").write_text("@prefix cd: <https://w3id.org/cdkg/ontology#> .\ncd:x cd:y\n")
    done = subprocess.run([*CDKG, "serve", "--rebuild", "--port", str(free_port())], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **env, "CDKG_BUILD_DIR": str(build_dir)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "agreements.ttl" in done.stderr and "serving on" not in done.stderr
