"""`cdkg publish`: the gate blocks invalid data, the release is complete and self-checking, a failed or
interrupted publish leaves the previous release byte-identical, and a real Oxigraph server is updated
through the SPARQL 1.1 Graph Store Protocol."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from conftest import run_cli
from kg.core.config import Settings
from seed_build import cli_env, private_seed_project
from service import free_port, running_oxigraph

BAD = """@prefix cd: <https://w3id.org/cdkg/ontology#> .
@prefix cdc: <https://w3id.org/cdkg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/cdkg/id/place/> .
@prefix agr: <https://w3id.org/cdkg/id/agreement/> .
# FICTIONAL: an agreement with one party only (a Violation).
agr:isfahan-alone a cd:Agreement ; rdfs:label "Isfahan alone"@en , "اصفهان تنها"@fa ;
    cd:agreementKind cdc:agreement-sister-city ; cd:partyA place:isfahan .
"""


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under the release (following the link) with its SHA-256."""
    root = folder.resolve()
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def project(tmp_path) -> Settings:
    """A private copy of the seed data (tests here add and remove files)."""
    return private_seed_project(tmp_path)


def _publish(settings: Settings, *args: str):
    return run_cli(["publish", *args], settings, env=cli_env(settings))


def test_publish_writes_a_complete_release(project):
    r = _publish(project)
    assert r.returncode == 0, r.stderr
    release = project.build_dir / "release"
    assert release.is_symlink() and release.resolve().parent == release.parent
    names = {p.name for p in release.iterdir()}
    assert {"dataset.trig", "dataset.nq", "default.ttl", "dataset.jsonld", "context.jsonld", "void.ttl",
            "validation-report.ttl", "validation-report.json", "release.json", "SHA256SUMS"} <= names
    for line in (release / "SHA256SUMS").read_text().splitlines():  # checksums verify
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    store = ox.Store()
    store.load(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    quads = len(store)
    trig, jsonld = ox.Store(), ox.Store()
    trig.load(path=str(release / "dataset.trig"), format=ox.RdfFormat.TRIG)
    jsonld.load(path=str(release / "dataset.jsonld"), format=ox.RdfFormat.JSON_LD)
    assert len(trig) == quads and len(jsonld) == quads
    assert set(jsonld.named_graphs()) == set(store.named_graphs())
    default = list(ox.parse(path=str(release / "default.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(default) == len({q.triple for q in store})
    void = rdflib.Graph().parse(release / "void.ttl", format="turtle")
    VOID, DCAT = rdflib.Namespace("http://rdfs.org/ns/void#"), rdflib.Namespace("http://www.w3.org/ns/dcat#")
    ds = rdflib.URIRef(f"{project.base_iri}dataset")
    # The materialised default graph is never dumped as quads; VoID and release.json count triples
    # (distinct: the default graph) and quads (in named graphs) each for what they are.
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    triples = len({q.triple for q in store})
    assert triples < quads
    assert int(void.value(ds, VOID.triples)) == triples
    manifest = json.loads((release / "release.json").read_text())
    assert (manifest["triples"], manifest["quads"]) == (triples, quads)
    assert len(list(void.objects(ds, VOID.subset))) == len(list(store.named_graphs()))
    urls = {str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in void.objects(ds, DCAT.distribution)}
    assert {"dataset.trig", "dataset.nq", "default.ttl", "dataset.jsonld", "validation-report.ttl"} <= urls
    assert (rdflib.URIRef(project.graph_iri("dataset/seed-articles")), rdflib.URIRef("http://purl.org/dc/terms/license"),
            rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    report = json.loads((release / "validation-report.json").read_text())
    assert report["conforms"] is True and report["counts"]["Violation"] == 0
    assert json.loads((release / "context.jsonld").read_text())["@context"]["cd"] == "https://w3id.org/cdkg/ontology#"


def test_violation_blocks_publishing_and_keeps_the_previous_release(project):
    assert _publish(project).returncode == 0
    before = _snapshot(project.build_dir / "release")
    (project.data_dir / "seed-articles" / "zz-bad.ttl").write_text(BAD, encoding="utf-8")
    r = _publish(project)
    assert r.returncode == 1
    assert "blocked" in r.stderr and "cdsh:Agreement-partyB" in r.stderr and "zz-bad.ttl:7" in r.stderr
    assert _snapshot(project.build_dir / "release") == before
    assert (project.build_dir / "publish-blocked-report.txt").is_file()


def test_interrupted_publish_leaves_the_previous_release_byte_identical(project):
    assert _publish(project).returncode == 0
    release = project.build_dir / "release"
    before, target = _snapshot(release), os.readlink(release)
    (project.data_dir / "seed-articles" / "zz-extra.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n", encoding="utf-8")
    # Killed half-way through writing the dumps (no cleanup can run, as with SIGKILL or a power cut).
    killer = ("import os, sys, kg.release.files as r\n"
              "def boom(*a, **k): os._exit(137)\n"
              "r.write_jsonld = boom\n"
              "from kg.cli import app\n"
              "sys.argv = ['cdkg', 'publish']\n"
              "app()\n")
    env = {**os.environ, **cli_env(project)}
    p = subprocess.run([sys.executable, "-c", killer], env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 137
    assert _snapshot(release) == before and os.readlink(release) == target
    leftovers = [q for q in release.parent.iterdir() if q.name.startswith(".release-") and q.name != target]
    assert leftovers  # the half-written folder (never linked)
    # Interrupted in-process (Ctrl-C): the half-written folder is removed at once.
    import kg.release.publishing as publish_module
    import kg.release.files as release_module

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    original = release_module.write_jsonld
    release_module.write_jsonld = interrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            publish_module.publish(project)
    finally:
        release_module.write_jsonld = original
    assert _snapshot(release) == before
    # The next publish succeeds and removes the leftovers, keeping the previous release for rollback.
    assert _publish(project).returncode == 0
    assert _snapshot(release) != before
    hidden = sorted(q.name for q in release.parent.iterdir() if q.name.startswith(".release-"))
    assert hidden == sorted([target, os.readlink(release)])


def test_release_dir_that_is_a_real_folder_is_refused(project, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine")
    r = _publish(project, "--release-dir", str(occupied))
    assert r.returncode == 2 and "not a release made by" in r.stderr
    assert (occupied / "keep.txt").read_text() == "mine"


# -- remote store -------------------------------------------------------------------------------

@pytest.fixture()
def oxigraph_server(tmp_path):
    folder = tmp_path / "remote"
    folder.mkdir()
    with running_oxigraph(folder) as base:
        yield base


def _remote_graphs(base: str) -> dict[str, int]:
    r = httpx.post(f"{base}/query", content="SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                   headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"})
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def test_publish_to_a_remote_store_replaces_each_graph_and_reports_changes(project, oxigraph_server):
    store_url = f"{oxigraph_server}/store"
    first = _publish(project, "--remote", store_url)
    assert first.returncode == 0, first.stderr
    graphs = _remote_graphs(oxigraph_server)
    local = ox.Store.read_only(str(project.store_dir))
    expected = {g.value: sum(1 for _ in local.quads_for_pattern(None, None, None, g)) for g in local.named_graphs()}
    del local
    assert graphs == expected
    # the remote's default graph is its own business: the local merge is never pushed as a graph
    r = httpx.post(f"{oxigraph_server}/query", content="ASK { ?s ?p ?o }",
                   headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is False
    assert "created" in first.stdout
    again = _publish(project, "--remote", store_url)
    assert again.returncode == 0 and "created" not in again.stdout and "replaced" not in again.stdout
    assert again.stdout.count("unchanged") == len(expected)
    # Remove one data file and change another: one graph removed, the changed ones replaced.
    (project.data_dir / "seed-articles" / "a003-facts.ttl").unlink()
    third = _publish(project, "--remote", store_url)
    assert third.returncode == 0, third.stderr
    assert "removed" in third.stdout and "replaced" in third.stdout
    after = _remote_graphs(oxigraph_server)
    assert project.graph_iri("seed-articles/a003-facts") not in after
    assert after[project.graph_iri("seed-articles/a004-facts")] == expected[project.graph_iri("seed-articles/a004-facts")]


def test_unreachable_remote_is_a_clear_error(project):
    r = _publish(project, "--remote", f"http://127.0.0.1:{free_port()}/store")
    assert r.returncode == 2 and "cannot reach" in r.stderr and "Traceback" not in r.stderr
