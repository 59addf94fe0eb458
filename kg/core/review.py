"""What of an article draft is data: a node marked cd:reviewStatus cdc:review-candidate or
cdc:review-rejected is not, nor are the blank nodes it alone holds (dates, attestations), nor a
curator's decision (cd:CurationDecision) about such a node: the record of a rejection stays in the
draft, where it keeps the candidate from being proposed again, and is not published.
Applied to every parsed file (kg.core.load.parse_file), so build, validate and publish all see only
accepted facts; a file without review marks passes through untouched."""
from __future__ import annotations

import pyoxigraph as ox

REVIEW_STATUS = ox.NamedNode("https://w3id.org/cdkg/ontology#reviewStatus")
USED = ox.NamedNode("http://www.w3.org/ns/prov#used")
DECISION = ox.NamedNode("https://w3id.org/cdkg/ontology#CurationDecision")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NOT_DATA = {ox.NamedNode("https://w3id.org/cdkg/concept/review-candidate"),
            ox.NamedNode("https://w3id.org/cdkg/concept/review-rejected")}


def held_back(triples: list[ox.Triple]) -> set:
    """Subjects left out: the candidate and rejected nodes and every blank node under them."""
    held = {t.subject for t in triples if t.predicate == REVIEW_STATUS and t.object in NOT_DATA}
    if not held:
        return held
    decisions = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == DECISION}
    held |= {t.subject for t in triples if t.predicate == USED and t.subject in decisions and t.object in held}
    children: dict = {}
    for t in triples:
        if isinstance(t.object, ox.BlankNode):
            children.setdefault(t.subject, []).append(t.object)
    todo = list(held)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in held:
                held.add(child)
                todo.append(child)
    return held


def published(triples: list[ox.Triple]) -> list[ox.Triple]:
    held = held_back(triples)
    return [t for t in triples if t.subject not in held] if held else triples
