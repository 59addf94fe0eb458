"""The ontology's quality checks (ontology/checks/*.rq): any row is a failure; each check can fail."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from kg.validation.checks import check_files, run_checks
from kg.core.load import ONTOLOGY_GRAPH, ontology_files


def test_there_are_three_checks(settings):
    assert {p.stem for p in check_files(settings)} == {"terms-labelled-and-defined", "no-undeclared-terms", "no-unused-imports"}


@pytest.mark.parametrize("name", ["terms-labelled-and-defined", "no-undeclared-terms", "no-unused-imports"])
def test_check_passes_on_the_build(store, settings, name):
    [result] = run_checks(store, settings, _check(settings, name))
    assert result.passed, f"{result.title}: {result.rows[:20]}"


def _check(settings, name: str) -> list:
    return [p for p in check_files(settings) if p.stem == name]


def _copy(store: ox.Store) -> ox.Store:
    mem = ox.Store()
    mem.extend(store)
    return mem


def test_unlabelled_term_is_caught(store, settings):
    mem = _copy(store)
    g = ox.NamedNode(settings.graph_iri(ONTOLOGY_GRAPH))
    term = ox.NamedNode("https://w3id.org/cdkg/ontology#Unlabelled")
    mem.add(ox.Quad(term, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), g))
    mem.add(ox.Quad(term, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("unlabelled", language="en"), g))
    [r] = run_checks(mem, settings, _check(settings, "terms-labelled-and-defined"))
    assert {row["missing"] for row in r.rows if row["term"] == term.value} == {"Persian label (rdfs:label @fa)", "English definition (skos:definition @en)"}


def test_undeclared_property_in_data_is_caught(store, settings):
    mem = _copy(store)
    g = ox.NamedNode(settings.graph_iri("seed-articles/extra"))
    mem.add(ox.Quad(ox.NamedNode("https://w3id.org/cdkg/id/place/isfahan"), ox.NamedNode("https://w3id.org/cdkg/ontology#twinnedWith"), ox.NamedNode("https://w3id.org/cdkg/id/place/kazan"), g))
    [r] = run_checks(mem, settings, _check(settings, "no-undeclared-terms"))
    assert [(row["term"], row["usedAs"]) for row in r.rows] == [("https://w3id.org/cdkg/ontology#twinnedWith", "property")]


def test_unused_import_is_caught(store, settings):
    mem = _copy(store)
    onto = ox.NamedNode(settings.graph_iri(ONTOLOGY_GRAPH))
    module = ox.NamedNode("https://w3id.org/cdkg/ontology/imports/unused")
    mg = ox.NamedNode(settings.graph_iri(f"{ONTOLOGY_GRAPH}/imports/unused"))
    owl = "http://www.w3.org/2002/07/owl#"
    mem.add(ox.Quad(ox.NamedNode("https://w3id.org/cdkg/ontology"), ox.NamedNode(owl + "imports"), module, onto))
    mem.add(ox.Quad(module, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(owl + "Ontology"), mg))
    mem.add(ox.Quad(ox.NamedNode("http://example.org/Unused"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(owl + "Class"), mg))
    missing = ox.NamedNode("https://w3id.org/cdkg/ontology/imports/missing")
    mem.add(ox.Quad(ox.NamedNode("https://w3id.org/cdkg/ontology"), ox.NamedNode(owl + "imports"), missing, onto))
    [r] = run_checks(mem, settings, _check(settings, "no-unused-imports"))
    assert sorted((row["module"], row["problem"]) for row in r.rows) == [
        (missing.value, "imported but not loaded (no ontology/imports file declares it)"),
        (module.value, "no term of this module is used")]


def test_every_ontology_file_parses_with_rdflib_too(settings):
    # rdflib is the API pyshacl and owlrl use; the files must parse there as well as in Oxigraph.
    for _, path in ontology_files(settings.ontology_dir):
        assert len(rdflib.Graph().parse(path)) > 10, path


def test_relation_classes_declare_their_network_projection(store):
    rows = list(store.query("""PREFIX cd: <https://w3id.org/cdkg/ontology#>
        SELECT ?c ?s ?t WHERE { ?c cd:edgeSource ?s ; cd:edgeTarget ?t ; cd:edgeLabel ?l ; cd:edgeDirected ?d }""", use_default_graph_as_union=True))
    classes = {r["c"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in rows}
    assert {"Agreement", "Membership", "AidShipment", "Tenure", "Event", "Designation", "Proposal", "Programme"} <= classes
