"""Name search in Python over an index built from the store: no user text ever reaches SPARQL.

Both the names and the query are normalised the same way:
- Persian/Arabic script: Arabic yeh/alef maksura -> Persian yeh, Arabic kaf -> Persian kaf, teh
  marbuta and heh with yeh -> heh, hamza-carrying letters -> their base letter, diacritics, tatweel,
  ZWNJ and other zero-width marks removed, Persian and Arabic digits -> ASCII;
- Latin script: case and accents folded (Kraków = krakow); a consonant skeleton (vowels dropped,
  doubled letters merged, a few transliteration pairs merged) matches Esfahan = Isfahan,
  Mashhad = Mashad, Teheran = Tehran.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.core import CD, FOAF, ORG, RDF, RDFS, SKOS

_ARABIC_TO_PERSIAN = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و",
    **{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)},
})
_INVISIBLE = re.compile("[\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]")
_SKELETON_PAIRS = [("kh", "x"), ("gh", "q"), ("sh", "$"), ("ch", "c"), ("zh", "j"), ("ph", "f"), ("w", "v"), ("ck", "k"), ("y", "")]
_VOWELS = re.compile(r"[aeiouy]")
LABEL_PREDICATES = [RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name"]
# What a person looks for: (class IRI, kind shown in results).
KINDS = [(CD + "City", "city"), (CD + "Country", "country"), (CD + "Region", "region"), (CD + "Place", "place"),
         (FOAF + "Person", "person"), (ORG + "Organization", "organisation"), (CD + "Network", "organisation"),
         (CD + "Agreement", "agreement"), (ORG + "Membership", "membership"), (CD + "Event", "event"),
         (CD + "Programme", "programme"), (CD + "NewsArticle", "document")]


def normalize(text: str) -> str:
    """Case-, accent-, spelling-variant- and spacing-insensitive form of a name."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _INVISIBLE.sub("", text.translate(_ARABIC_TO_PERSIAN))
    text = re.sub(r"[\s\-_'’`.,;:()«»\"/]+", " ", text.casefold())
    return text.strip()


def compact(text: str) -> str:
    return text.replace(" ", "")


def skeleton(normalized: str) -> str:
    """Consonant skeleton of the Latin letters (transliteration variants collapse)."""
    s = re.sub(r"[^a-z]", "", normalized)
    for a, b in _SKELETON_PAIRS:
        s = s.replace(a, b)
    s = _VOWELS.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


@dataclass
class Entry:
    iri: str
    kind: str
    en: str = ""
    fa: str = ""
    names: list[str] = field(default_factory=list)
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # (normalized, compact, skeleton)


@dataclass
class Hit:
    iri: str
    kind: str
    en: str
    fa: str
    matched: str
    score: int


class SearchIndex:
    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def build(cls, store: ox.Store) -> "SearchIndex":
        kinds: dict[str, str] = {}
        for cls_iri, kind in reversed(KINDS):  # the first matching kind in KINDS wins
            for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(cls_iri), None):
                kinds[q.subject.value] = kind
        entries: dict[str, Entry] = {}
        for pred in LABEL_PREDICATES:
            for q in store.quads_for_pattern(None, ox.NamedNode(pred), None, None):
                iri = q.subject.value
                if iri not in kinds or not isinstance(q.object, ox.Literal):
                    continue
                e = entries.setdefault(iri, Entry(iri, kinds[iri]))
                name, lang = q.object.value, q.object.language or ""
                if pred != SKOS + "altLabel":
                    if lang.startswith("fa") and not e.fa:
                        e.fa = name
                    elif not lang.startswith("fa") and not e.en:
                        e.en = name
                if name not in e.names:
                    e.names.append(name)
                    n = normalize(name)
                    e.keys.append((n, compact(n), skeleton(n)))
        return cls(list(entries.values()))

    def search(self, query: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
        n = normalize(query)
        if not n:
            return []
        c, sk = compact(n), skeleton(n)
        hits = []
        for e in self.entries:
            if kind and e.kind != kind:
                continue
            best, matched = 0, ""
            for name, (en, ec, es) in zip(e.names, e.keys):
                score = (100 if en == n or ec == c else 80 if ec.startswith(c) else 60 if c in ec
                         else 40 if len(sk) >= 3 and es == sk else 30 if len(sk) >= 4 and sk in es else 0)
                if score > best:
                    best, matched = score, name
            if best:
                hits.append(Hit(e.iri, e.kind, e.en, e.fa, matched, best))
        hits.sort(key=lambda h: (-h.score, len(h.matched), h.en or h.fa))
        return hits[:limit]

    def kinds(self) -> list[str]:
        return sorted({e.kind for e in self.entries})
