"""The fast rules engine entails what owlrl (the reference) entails for the ontology's constructs."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core.load import ontology_files, parse_file
from kg.core.namespaces import CD, CDC, ORG, OWL, PROV, RDF, RDFS
from kg.dataset.reason import RULES, reason_with_owlrl, reason_with_rules

FIXTURE = Path(__file__).parent / "fixtures" / "reasoning" / "constructs.ttl"
EX = "https://w3id.org/cdkg/id/test/"
INFERRED = ox.NamedNode("urn:test:inferred")
# owlrl also derives schema-level and trivial triples that no query of ours uses.
SCHEMA_PREDICATES = {f"{RDFS}{p}" for p in ("subClassOf", "subPropertyOf", "domain", "range")} | {
    f"{OWL}{p}" for p in ("sameAs", "equivalentClass", "equivalentProperty", "disjointWith")}
TRIVIAL_TYPES = {f"{OWL}Thing", f"{RDFS}Datatype", f"{OWL}Class", f"{OWL}AnnotationProperty", f"{OWL}ObjectProperty", f"{OWL}DatatypeProperty"}


def _stores(settings, data_files: list[Path]) -> tuple[ox.Store, ox.Store, list[ox.NamedNode], list[ox.NamedNode]]:
    """Two stores with the very same quads (same blank nodes), so their closures can be compared."""
    quads, onto, graphs = [], [], []
    for name, path in ontology_files(settings.ontology_dir):
        g = ox.NamedNode(settings.graph_iri(name))
        onto.append(g)
        quads += [ox.Quad(*t, g) for t in parse_file(path)]
    for i, path in enumerate(data_files):
        g = ox.NamedNode(settings.graph_iri(f"test/{i}"))
        graphs.append(g)
        quads += [ox.Quad(*t, g) for t in parse_file(path)]
    a, b = ox.Store(), ox.Store()
    a.extend(quads)
    b.extend(quads)
    onto = list(dict.fromkeys(onto))
    return a, b, onto + graphs, onto


def _inferred(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, INFERRED)}


def _relevant(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples
            if t.predicate.value not in SCHEMA_PREDICATES
            and not (t.predicate.value == f"{RDF}type" and (t.object.value in TRIVIAL_TYPES or isinstance(t.object, ox.BlankNode)))}


@pytest.fixture(scope="module")
def closures(settings):
    data = [FIXTURE, *sorted(settings.data_dir.glob("*/*.ttl"))]
    a, b, graphs, onto = _stores(settings, data)
    reason_with_rules(a, graphs, onto, INFERRED)
    reason_with_owlrl(b, graphs, INFERRED)
    return _inferred(a), _inferred(b)


def test_rules_engine_derives_nothing_owlrl_does_not(closures):
    rules, reference = closures
    assert rules - reference == set()


def test_rules_engine_derives_everything_owlrl_derives_that_matters(closures):
    rules, reference = closures
    assert _relevant(reference) - rules == set()


def _has(triples, s, p, o) -> bool:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) in triples


@pytest.mark.parametrize("s,p,o,rule", [
    (EX + "a", CD + "hasAgreementWith", EX + "b", "prp-spo2 (inverse link first)"),
    (EX + "b", CD + "hasAgreementWith", EX + "a", "prp-symp"),
    (EX + "agr", RDF + "type", CD + "SisterCityAgreement", "cls-hv2"),
    (EX + "mou", CD + "agreementKind", CDC + "agreement-mou", "cls-hv1"),
    (EX + "a", ORG + "memberOf", EX + "net", "prp-spo2 + prp-spo1"),
    (EX + "net", RDF + "type", ORG + "Organization", "prp-rng"),
    (EX + "a", CD + "governedBy", EX + "muni", "prp-inv1"),
    (EX + "d", CD + "partOf", EX + "prov", "prp-trp"),
    (EX + "fact", PROV + "wasDerivedFrom", EX + "doc", "prp-spo2 + prp-spo1"),
    (EX + "person", ORG + "holds", EX + "post", "prp-spo2"),
    (EX + "post", ORG + "heldBy", EX + "person", "prp-inv"),
    (EX + "t", CD + "postOrganization", EX + "muni", "prp-spo2"),
    (EX + "aid", RDF + "type", CD + "Event", "cls-hv2 + cax-sco"),
])
def test_both_engines_derive_the_convenience_edges(closures, s, p, o, rule):
    rules, reference = closures
    assert _has(rules, s, p, o), f"rules engine misses {rule}"
    assert _has(reference, s, p, o), f"owlrl misses {rule}"


def test_rules_list_names_owl_rl_rules():
    assert {"prp-spo2", "cls-hv2", "prp-symp", "prp-inv1", "cax-sco"} <= set(RULES)


def test_upkeep_after_an_insert_equals_reasoning_from_scratch(settings):
    # What the service does after a write: derive from the added triples only (kg.seminaive.extend).
    from kg.dataset.reason import read_schema
    from kg.dataset.seminaive import extend

    files = sorted((settings.data_dir / "seed-articles").glob("*.ttl"))
    held_out = next(f for f in files if f.name == "agreements.ttl")
    before, _, graphs, onto = _stores(settings, [FIXTURE, *(f for f in files if f != held_out)])
    reason_with_rules(before, graphs, onto, INFERRED)
    late = ox.NamedNode(settings.graph_iri("test/late"))
    added = list(parse_file(held_out))
    before.extend(ox.Quad(*t, late) for t in added)
    n, _ = extend(before, read_schema(before, onto), added, {*graphs, late}, INFERRED)

    scratch = ox.Store()  # the same asserted quads (same blank nodes), closed from scratch
    scratch.extend(q for q in before if q.graph_name != INFERRED)
    reason_with_rules(scratch, [*graphs, late], onto, INFERRED)
    assert n > 0
    # Same union (what the default graph shows); a triple inferred before and asserted by the insert
    # may stay in the inferred graph too, which changes no answer.
    assert {q.triple for q in before} == {q.triple for q in scratch}
    assert _inferred(scratch) <= _inferred(before)
