"""One node per Wikidata id across every mapping of a build (docs/reconciliation.md, step 7).

A gazetteer-matched node holds a QID over an unmatched one: Eurocities gives "Lyon Metropole" the id
of the city of Lyon, so the metropole's node (unmatched) must not keep it once the city turns up.
The importer asks `may_give` before it writes a cd:wikidataId quad, and calls `commit` after a row is
added; an id an unmatched node was given earlier is then withdrawn from that graph's quad list.
"""
from __future__ import annotations

import pyoxigraph as ox


class WikidataIds:
    def __init__(self, predicate: ox.NamedNode):
        self.predicate = predicate
        self._holder: dict[str, tuple[str, bool]] = {}                  # qid -> (node, matched)
        self._given: dict[str, list[tuple[list, ox.Quad]]] = {}         # qid -> quads giving it to an unmatched node

    def may_give(self, qid: str, iri: str) -> bool:
        holder = self._holder.get(qid)
        return holder is None or holder[0] == iri or not holder[1]  # else a matched city holds the id

    def commit(self, resolved, out: list[ox.Quad], quads: list[ox.Quad]) -> None:
        """resolved: (place spec, query, resolution) of a committed row; out: its quads; quads: the graph's list."""
        given = {(q.subject.value, q.object.value): q for q in out if q.predicate == self.predicate}
        for _, q, res in resolved:
            if not q.wikidata:
                continue
            matched = res.status in ("seed", "gazetteer")
            holder = self._holder.get(q.wikidata)
            if holder is None or (matched and not holder[1] and holder[0] != res.iri):
                if holder is not None:
                    for lst, quad in self._given.pop(q.wikidata, []):
                        lst.remove(quad)
                self._holder[q.wikidata] = (res.iri, matched)
            quad = given.get((res.iri, q.wikidata))
            if quad is not None and not matched:
                self._given.setdefault(q.wikidata, []).append((quads, quad))
