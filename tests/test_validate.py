"""`cdkg validate` and kg.validate: the fast path against plain pyshacl, contributions checked in the
context of the published graph, reports for people and machines, exit codes."""
from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from conftest import run_cli
from kg.validation.contribution import infer_delta, scratch_copy
from kg.core.convert import to_rdflib
from kg.core.load import INFERRED_GRAPH
from kg.core.query import open_store
from kg.validation.validate import (load_shapes, read_contribution, run_engine, standalone_store, validate_contribution,
                         validate_store)
from seed_build import cli_env, seed_settings

SHAPE_FIXTURES = Path(__file__).resolve().parent / "shapes"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
PREFIXES = """@prefix cd: <https://w3id.org/cdkg/ontology#> .
@prefix cdc: <https://w3id.org/cdkg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/cdkg/id/place/> .
@prefix agr: <https://w3id.org/cdkg/id/agreement/> .
@prefix st: <https://w3id.org/cdkg/id/status/> .
@prefix doc: <https://w3id.org/cdkg/id/document/> .
@prefix person: <https://w3id.org/cdkg/id/person/> .
"""
# FICTIONAL contribution: a status assertion about an existing agreement of the seed data.
CONTRIBUTION = PREFIXES + """
st:isfahan-xian-sister-city-test a cd:StatusAssertion ;
    rdfs:label "Isfahan – Xi'an: candidate (test)"@en , "اصفهان و شیان: نامزد (آزمون)"@fa ;
    cd:statusOf agr:isfahan-xian-sister-city ; cd:status cdc:status-candidate ;
    cd:attestedBy [ a cd:Attestation ; cd:document doc:a002 ; cd:quote "نقل قول ساختگی"@fa ] .
"""


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return seed_settings(tmp_path_factory.getbasetemp())


def test_seed_data_conforms_and_engines_agree(seed):
    store = open_store(seed)
    fast = validate_store(store, seed, "fast")
    ref = validate_store(store, seed, "pyshacl")
    assert fast.engine == "fast" and ref.engine == "pyshacl"
    assert fast.conforms and fast.count(SH.Violation) == 0
    assert fast.keys() == ref.keys()
    assert fast.count(SH.Warning) == 2 and fast.count(SH.Info) == 10  # undated articles; figures vs graph; unknown countries


def test_engines_agree_on_all_fixtures_together(seed):
    """Every valid and invalid example in one dataset (results interact across files)."""
    files = [SHAPE_FIXTURES / "context.ttl", *sorted(SHAPE_FIXTURES.glob("*/*.ttl"))]
    contribution, _ = read_contribution(files, seed)
    store = standalone_store(contribution, seed)
    shapes = load_shapes(seed.shapes_dir)
    fast, ref = run_engine(store, shapes, "fast"), run_engine(store, shapes, "pyshacl")
    assert len(ref.results) > 60
    assert fast.keys() == ref.keys()


def test_engines_agree_on_synthetic_data(seed, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    data = tmp_path / "synthetic.nt"
    data.write_text(generate(3000, seed=7), encoding="utf-8")
    contribution, _ = read_contribution([data], seed)
    store = standalone_store(contribution, seed)
    shapes = load_shapes(seed.shapes_dir)
    fast, ref = run_engine(store, shapes, "fast"), run_engine(store, shapes, "pyshacl")
    assert len(ref.results) > 10
    assert fast.keys() == ref.keys()


def test_incremental_inference_equals_a_full_rebuild(tmp_path_factory):
    """A file added as a contribution gets the entailments a full build would give it."""
    base = seed_settings(tmp_path_factory.getbasetemp(), exclude=("a002-facts.ttl",), name="seed-without-a002")
    full = seed_settings(tmp_path_factory.getbasetemp())
    contribution, _ = read_contribution([full.data_dir / "seed-articles" / "a002-facts.ttl"], base)

    def union(store):
        return {(str(q.subject) if not isinstance(q.subject, ox.BlankNode) else "_", str(q.predicate),
                 str(q.object) if not isinstance(q.object, ox.BlankNode) else "_")
                for q in store.quads_for_pattern(None, None, None, None)}

    with scratch_copy(open_store(base)) as scratch:
        for graph, triples in contribution.graphs.items():
            scratch.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        new = infer_delta(scratch, base, list(contribution.triples()), ox.NamedNode(base.graph_iri(INFERRED_GRAPH)))
        assert len(new) > 50
        incremental = union(scratch)
    expected = union(open_store(full))
    expected.discard((f"<{full.graph_iri('dataset/seed-articles')}>", "<http://purl.org/dc/terms/hasPart>",
                      f"<{full.graph_iri('seed-articles/a002-facts')}>"))  # build metadata, not an inference
    assert incremental == expected


def test_contribution_is_checked_in_context_and_only_where_it_touches(seed, tmp_path):
    path = tmp_path / "contribution.ttl"
    path.write_text(CONTRIBUTION, encoding="utf-8")
    contribution, files = read_contribution([path], seed)
    store = open_store(seed)
    before = len(store)
    report = validate_contribution(contribution, store, seed, "fast", files)
    assert len(store) == before  # the published store is not touched
    # In context the agreement exists, so sh:class is satisfied; the candidate status dated after
    # 'signed' is not flagged because it has no date; what is reported is only about touched nodes.
    focus = {str(r.focus) for r in report.results}
    assert report.conforms, [r.key() for r in report.results]
    assert focus <= {"https://w3id.org/cdkg/id/agreement/isfahan-xian-sister-city",
                     "https://w3id.org/cdkg/id/status/isfahan-xian-sister-city-test"}
    assert report.focus_scope is not None and 3 <= report.focus_scope < 20
    # Alone (without the published graph) the agreement is unknown: the same file violates.
    alone = read_contribution([path], seed)[0]
    standalone = run_engine(standalone_store(alone, seed), load_shapes(seed.shapes_dir), "fast")
    assert any(str(r.shape).endswith("Status-statusOf-class") for r in standalone.results)


def test_contribution_fast_path_equals_pyshacl_on_the_merged_graph(seed, tmp_path):
    path = tmp_path / "contribution.ttl"
    path.write_text(CONTRIBUTION + """
agr:isfahan-xian-sister-city cd:partyB place:isfahan .
st:isfahan-xian-sister-city-test2 a cd:StatusAssertion ; cd:statusOf agr:isfahan-xian-sister-city ;
    cd:status cdc:status-proposed ; cd:attestedBy [ a cd:Attestation ; cd:document doc:a002 ] .
""", encoding="utf-8")
    contribution, _ = read_contribution([path], seed)
    from kg.validation.contribution import stage

    with scratch_copy(open_store(seed)) as scratch:
        scope = stage(scratch, seed, contribution)
        fast = run_engine(scratch, load_shapes(seed.shapes_dir), "fast", scope=scope)
        ref = run_engine(scratch, load_shapes(seed.shapes_dir), "pyshacl", scope=scope)
    assert fast.keys() == ref.keys()
    shapes = {str(r.constraint or r.shape).rsplit("#", 1)[-1] for r in fast.results}
    assert {"Agreement-partyB", "AttestationEvidenceShape", "Statement-label-en"} <= shapes
    assert {to_rdflib(n) for n in scope} >= {r.focus for r in fast.results}


def test_cli_validates_the_build_with_exit_codes(seed):
    env = cli_env(seed)
    ok = run_cli(["validate"], seed, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "0 Violations, 2 Warnings, 10 Infos" in ok.stdout
    # --fail-on warning: the two Warnings (undated articles) fail the run.
    strict = run_cli(["validate", "--fail-on", "warning"], seed, env=env)
    assert strict.returncode == 1
    bad = run_cli(["validate", "--format", "yaml"], seed, env=env)
    assert bad.returncode == 2 and "unknown report format" in bad.stderr


def test_text_report_groups_by_node_with_labels_and_lines(seed):
    r = run_cli(["validate"], seed, env=cli_env(seed))
    block = r.stdout.split("doc:a000\n", 1)[1].split("\n\n", 1)[0]
    assert "Mehr News" in block and "@en" in block and "@fa" in block
    doc_line = next(n for n, line in enumerate((seed.data_dir / "seed-articles" / "documents.ttl").read_text(encoding="utf-8").splitlines(), 1)
                    if line.startswith("doc:a000 "))
    assert f"documents.ttl:{doc_line}" in block
    assert "WARNING" in block and "publication date" in block


def test_machine_reports(seed, tmp_path):
    env = cli_env(seed)
    out = tmp_path / "report.ttl"
    assert run_cli(["validate", "-f", "turtle", "-o", str(out)], seed, env=env).returncode == 0
    g = rdflib.Graph().parse(out, format="turtle")
    report = next(g.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms).toPython() is True
    assert len(list(g.objects(report, SH.result))) == 12
    data = json.loads(run_cli(["validate", "-f", "json"], seed, env=env).stdout)
    assert data["conforms"] is True and data["counts"] == {"Violation": 0, "Warning": 2, "Info": 10}
    first = next(r for r in data["results"] if r["focusNode"].endswith("document/a000"))
    assert first["labels"]["fa"].startswith("مهر") and first["definedIn"][0]["file"].endswith("documents.ttl")
    junit = ET.fromstring(run_cli(["validate", "-f", "junit", "--fail-on", "warning"], seed, env=env).stdout)
    assert junit.tag == "testsuite" and junit.get("failures") == "2"


def test_cli_contribution_violation_exits_1_and_names_file_and_line(seed, tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + "\n\nagr:isfahan-alone a cd:Agreement ; rdfs:label \"Isfahan alone\"@en , \"اصفهان تنها\"@fa ;\n"
                    "    cd:agreementKind cdc:agreement-sister-city ; cd:partyA place:isfahan .\n", encoding="utf-8")
    r = run_cli(["validate", str(path)], seed, env=cli_env(seed))
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{path.name}:11" in r.stdout and "cdsh:Agreement-partyB" in r.stdout and "VIOLATION" in r.stdout


def test_cli_syntax_error_exits_2_with_position(seed, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(PREFIXES + "place:x a cd:City ;\n    rdfs:label \"X\"@en\n", encoding="utf-8")
    r = run_cli(["validate", str(path)], seed, env=cli_env(seed))
    assert r.returncode == 2
    assert f"{path}:11" in r.stderr and "syntax error" in r.stderr and "Traceback" not in r.stderr
