"""OWL RL reasoning.

Two engines with the same entailments for the constructs the ontology uses:
- ``rules`` (default): the ontology's axioms compiled into SPARQL CONSTRUCT rules run to a fixpoint
  on the Oxigraph store. Fast and light; entailments limited to the OWL RL rules listed in RULES.
- ``owlrl``: the reference implementation (owlrl.OWLRL_Semantics) over an rdflib graph. Slow.
A test checks the two agree on the fixtures (tests/test_reasoning.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from kg.core import OWL, RDF, RDFS

# OWL RL rules (names from the OWL 2 RL profile, table 4-9) that the rules engine implements.
RULES = ("cax-sco", "cax-eqc1", "cax-eqc2", "prp-spo1", "prp-spo2", "prp-inv1", "prp-inv2",
         "prp-symp", "prp-trp", "prp-dom", "prp-rng", "cls-hv1", "cls-hv2", "scm-sco", "scm-spo")

TYPE = f"<{RDF}type>"


@dataclass
class Schema:
    """The parts of the ontology that drive inference, with sub-class/-property closures."""

    superclasses: dict[str, set[str]] = field(default_factory=dict)
    superproperties: dict[str, set[str]] = field(default_factory=dict)
    inverses: set[tuple[str, str]] = field(default_factory=set)
    symmetric: set[str] = field(default_factory=set)
    transitive: set[str] = field(default_factory=set)
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    chains: list[tuple[str, tuple[tuple[str, bool], ...]]] = field(default_factory=list)
    has_value: list[tuple[str, str, ox.Term]] = field(default_factory=list)  # (class, property, value)


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    closed: dict[str, set[str]] = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            n = todo.pop()
            if n not in seen and n != start:
                seen.add(n)
                todo.extend(edges.get(n, ()))
        closed[start] = seen
    return closed


def _rows(store: ox.Store, query: str, graphs: list[ox.NamedNode]):
    return store.query(query, default_graph=graphs)


def read_schema(store: ox.Store, ontology_graphs: list[ox.NamedNode]) -> Schema:
    s = Schema()
    sub: dict[str, set[str]] = {}
    for r in _rows(store, f"SELECT ?a ?b WHERE {{ ?a <{RDFS}subClassOf> ?b FILTER(isIRI(?a) && isIRI(?b)) }}", ontology_graphs):
        sub.setdefault(r["a"].value, set()).add(r["b"].value)
    eq = f"SELECT ?a ?b WHERE {{ ?a <{OWL}equivalentClass> ?b FILTER(isIRI(?a) && isIRI(?b)) }}"
    for r in _rows(store, eq, ontology_graphs):
        sub.setdefault(r["a"].value, set()).add(r["b"].value)
        sub.setdefault(r["b"].value, set()).add(r["a"].value)
    s.superclasses = _closure(sub)
    subp: dict[str, set[str]] = {}
    for r in _rows(store, f"SELECT ?a ?b WHERE {{ ?a <{RDFS}subPropertyOf> ?b FILTER(isIRI(?a) && isIRI(?b)) }}", ontology_graphs):
        subp.setdefault(r["a"].value, set()).add(r["b"].value)
    s.superproperties = _closure(subp)
    for r in _rows(store, f"SELECT ?a ?b WHERE {{ ?a <{OWL}inverseOf> ?b FILTER(isIRI(?a) && isIRI(?b)) }}", ontology_graphs):
        s.inverses.add((r["a"].value, r["b"].value))
    for kind, target in ((f"{OWL}SymmetricProperty", s.symmetric), (f"{OWL}TransitiveProperty", s.transitive)):
        for r in _rows(store, f"SELECT ?p WHERE {{ ?p a <{kind}> FILTER(isIRI(?p)) }}", ontology_graphs):
            target.add(r["p"].value)
    for pred, target in ((f"{RDFS}domain", s.domains), (f"{RDFS}range", s.ranges)):
        for r in _rows(store, f"SELECT ?p ?c WHERE {{ ?p <{pred}> ?c FILTER(isIRI(?p) && isIRI(?c)) }}", ontology_graphs):
            target.setdefault(r["p"].value, set()).add(r["c"].value)
    chain_q = f"""SELECT ?p ?a ?ainv ?b ?binv WHERE {{
        ?p <{OWL}propertyChainAxiom> ?l . ?l <{RDF}first> ?x ; <{RDF}rest> ?l2 .
        ?l2 <{RDF}first> ?y ; <{RDF}rest> <{RDF}nil> .
        OPTIONAL {{ ?x <{OWL}inverseOf> ?ainv }} OPTIONAL {{ ?y <{OWL}inverseOf> ?binv }}
        BIND(IF(isIRI(?x), ?x, ?ainv) AS ?a) BIND(IF(isIRI(?y), ?y, ?binv) AS ?b) }}"""
    for r in _rows(store, chain_q, ontology_graphs):
        a_inv, b_inv = r["ainv"] is not None, r["binv"] is not None
        s.chains.append((r["p"].value, ((r["a"].value, a_inv), (r["b"].value, b_inv))))
    hv_q = f"""SELECT ?c ?p ?v WHERE {{ ?c <{OWL}equivalentClass> ?r .
        ?r a <{OWL}Restriction> ; <{OWL}onProperty> ?p ; <{OWL}hasValue> ?v FILTER(isIRI(?c)) }}"""
    for r in _rows(store, hv_q, ontology_graphs):
        s.has_value.append((r["c"].value, r["p"].value, r["v"]))
    return s


def _term(t: ox.Term) -> str:
    return str(t)  # pyoxigraph renders N-Triples syntax


def compile_rules(s: Schema) -> list[tuple[str, str]]:
    """One (name, CONSTRUCT query) per concrete axiom; each only yields triples not yet present."""
    rules: list[tuple[str, str]] = []

    def add(name: str, head: str, body: str) -> None:
        rules.append((name, f"CONSTRUCT {{ {head} }} WHERE {{ {body} FILTER NOT EXISTS {{ {head} }} }}"))

    for c, supers in sorted(s.superclasses.items()):
        for sup in sorted(supers):
            add("cax-sco", f"?x {TYPE} <{sup}>", f"?x {TYPE} <{c}> .")
    for p, supers in sorted(s.superproperties.items()):
        for sup in sorted(supers):
            add("prp-spo1", f"?x <{sup}> ?y", f"?x <{p}> ?y .")
    for a, b in sorted(s.inverses):
        add("prp-inv1", f"?y <{b}> ?x", f"?x <{a}> ?y . FILTER(!isLiteral(?y))")
        add("prp-inv2", f"?y <{a}> ?x", f"?x <{b}> ?y . FILTER(!isLiteral(?y))")
    for p in sorted(s.symmetric):
        add("prp-symp", f"?y <{p}> ?x", f"?x <{p}> ?y . FILTER(!isLiteral(?y))")
    for p in sorted(s.transitive):
        add("prp-trp", f"?x <{p}> ?z", f"?x <{p}> ?y . ?y <{p}> ?z .")
    for p, classes in sorted(s.domains.items()):
        for c in sorted(classes):
            add("prp-dom", f"?x {TYPE} <{c}>", f"?x <{p}> ?y .")
    for p, classes in sorted(s.ranges.items()):
        for c in sorted(classes):
            add("prp-rng", f"?y {TYPE} <{c}>", f"?x <{p}> ?y . FILTER(!isLiteral(?y))")
    for p, ((a, a_inv), (b, b_inv)) in s.chains:
        first = f"?y <{a}> ?x ." if a_inv else f"?x <{a}> ?y ."
        second = f"?z <{b}> ?y ." if b_inv else f"?y <{b}> ?z ."
        add("prp-spo2", f"?x <{p}> ?z", f"{first} {second} FILTER(!isLiteral(?z))")
    for c, p, v in s.has_value:
        add("cls-hv2", f"?x {TYPE} <{c}>", f"?x <{p}> {_term(v)} .")
        add("cls-hv1", f"?x <{p}> {_term(v)}", f"?x {TYPE} <{c}> .")
    return rules


@dataclass
class ReasoningReport:
    engine: str
    inferred: int
    rounds: int
    seconds: float


def reason_with_rules(store: ox.Store, graphs: list[ox.NamedNode], ontology_graphs: list[ox.NamedNode],
                      inferred_graph: ox.NamedNode, progress: Callable[[int, int], None] | None = None,
                      max_rounds: int = 50) -> ReasoningReport:
    """The rules to a fixpoint by semi-naive evaluation (kg.dataset.seminaive): each round only looks at
    what the previous one derived, so imported graphs of ~1M triples close in seconds."""
    from kg.dataset.seminaive import close

    t0 = time.perf_counter()
    total, rounds = close(store, read_schema(store, ontology_graphs), graphs, inferred_graph, progress, max_rounds)
    return ReasoningReport("rules", total, rounds, time.perf_counter() - t0)


def extend_inferences(store: ox.Store, added: list[ox.Triple], base_iri: str) -> int:
    """After a write that only added triples to a built store: add what the rules entail from them to
    the inferred graph (the ontology is read from the store's ontology graphs). Returns how many."""
    from kg.core import INFERRED_GRAPH, ONTOLOGY_GRAPH
    from kg.dataset.seminaive import extend

    if not added:
        return 0
    graphs = list(store.named_graphs())
    ontology = [g for g in graphs if g.value == f"{base_iri}graph/{ONTOLOGY_GRAPH}"
                or g.value.startswith(f"{base_iri}graph/{ONTOLOGY_GRAPH}/")]
    inferred = ox.NamedNode(f"{base_iri}graph/{INFERRED_GRAPH}")
    # the default graph holds the merge of the named graphs (kg.core.merge): derived triples go there too
    total, _ = extend(store, read_schema(store, ontology), added, {*graphs, ox.DefaultGraph()}, inferred,
                      also_into=(ox.DefaultGraph(),))
    return total


def reason_with_sparql_rules(store: ox.Store, graphs: list[ox.NamedNode], ontology_graphs: list[ox.NamedNode],
                             inferred_graph: ox.NamedNode, progress: Callable[[int, int], None] | None = None,
                             max_rounds: int = 50) -> ReasoningReport:
    """Naive evaluation: every compiled SPARQL rule over `graphs` + inferred each round until nothing
    new is derived. Kept as a second implementation to check the semi-naive one against."""
    t0 = time.perf_counter()
    rules = compile_rules(read_schema(store, ontology_graphs))
    scope = [*graphs, inferred_graph]
    total, rounds = 0, 0
    for rounds in range(1, max_rounds + 1):
        new: set[ox.Triple] = set()
        for i, (_, q) in enumerate(rules):
            new.update(store.query(q, default_graph=scope))
            if progress:
                progress(i + 1, len(rules))
        if not new:
            break
        store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in new)
        total += len(new)
    return ReasoningReport("rules", total, rounds, time.perf_counter() - t0)


def reason_with_owlrl(store: ox.Store, graphs: list[ox.NamedNode], inferred_graph: ox.NamedNode) -> ReasoningReport:
    """Reference path: owlrl over an rdflib copy; keeps only triples not already asserted."""
    import owlrl
    import rdflib
    from kg.core import ox_to_rdflib_graph, rdflib_to_ox_triple

    t0 = time.perf_counter()
    g = ox_to_rdflib_graph(store, graphs)
    before = set(g)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    added = [t for t in g if t not in before and not isinstance(t[0], rdflib.Literal)]
    store.extend(ox.Quad(*rdflib_to_ox_triple(t), inferred_graph) for t in added)
    return ReasoningReport("owlrl", len(added), 1, time.perf_counter() - t0)
