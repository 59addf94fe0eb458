"""Term conversion between pyoxigraph and rdflib (rdflib stays the API for pyshacl and owlrl)."""
from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
import rdflib


def to_rdflib(term: ox.Term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_ox(term) -> ox.Term:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def rdflib_to_ox_triple(t) -> tuple[ox.Term, ox.Term, ox.Term]:
    return to_ox(t[0]), to_ox(t[1]), to_ox(t[2])


def ox_to_rdflib_graph(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> rdflib.Graph:
    """The union of some named graphs as one rdflib Graph."""
    g = rdflib.Graph()
    for graph in graphs:
        for q in store.quads_for_pattern(None, None, None, graph):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g
