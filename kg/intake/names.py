"""The gazetteer of everything the graph already names: places, organisations, people, posts,
programmes, with their English and Persian labels, alternative labels and transliterations.

Read from the built store when there is one (all sources, including mapped CSVs), else from the
Turtle files of the data folder; kept as a pickle beside the build, keyed by the inputs' mtimes
(a write through the service makes a new store generation, so new files). `cdkg build` writes the
cache itself from the store it has in memory (kg.dataset.builder), so even the first intake after
a build loads in a fraction of a second instead of reading the whole store (seconds).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings, has_merge, read_cache, write_cache
from kg.intake.normalise import TOKEN, key

CD = "https://w3id.org/cdkg/ontology#"
ORG = "http://www.w3.org/ns/org#"
# rdf:type -> the role a name plays in an article
KINDS = {CD + "City": "city", CD + "Country": "country", CD + "Region": "region",
         CD + "Municipality": "org", CD + "Network": "network", CD + "GovernmentBody": "org",
         CD + "University": "org", CD + "MediaOrganization": "org", CD + "BusinessAssociation": "org",
         CD + "CivilSocietyOrganization": "org", CD + "CityCouncil": "org", ORG + "Organization": "org",
         ORG + "FormalOrganization": "org", "http://xmlns.com/foaf/0.1/Person": "person",
         ORG + "Post": "post", CD + "Programme": "programme"}
_FORMAT = 6  # bump when the pickled structure or the query changes
_RANK = ["post", "city", "country", "region", "network", "programme", "person", "org"]  # a name with two types takes the first
# Generic heads a text may drop: 'شبکه شهرهای خلاق یونسکو' is also written 'شهرهای خلاق یونسکو'.
_DROPPABLE_HEADS = {"network": ("شبکه", "سازمان", "the", "network"), "org": ("خبرگزاری",)}

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABELS = [ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
          ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")]


@dataclass
class Entity:
    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)  # language -> a label
    country: str | None = None
    governs: str | None = None


@dataclass
class Gazetteer:
    entities: dict[str, Entity]
    by_key: dict[str, list[str]]  # name key -> entity IRIs
    max_key: int
    agreements: frozenset[str] = frozenset()  # IRIs of the agreements the graph already has

    def label(self, iri: str, lang: str) -> str:
        e = self.entities.get(iri)
        return (e.labels.get(lang) or e.labels.get("en") or e.labels.get("") or next(iter(e.labels.values()), "")) if e else iri.rsplit("/", 1)[-1]

    def lookup(self, name_key: str) -> list[Entity]:
        return [self.entities[i] for i in self.by_key.get(name_key, ())]

    def find(self, text_tokens: list[str], start: int) -> tuple[int, list[Entity]] | None:
        """The longest run of tokens from `start` that names something: (end token, entities)."""
        joined, best = "", None
        for j in range(start, min(start + 16, len(text_tokens))):
            joined += text_tokens[j]
            if len(joined) > self.max_key:
                break
            if joined in self.by_key:
                best = (j + 1, self.lookup(joined))
        return best


def gazetteer_of(store: ox.Store) -> Gazetteer:
    # Quad patterns, not SPARQL: the union of all graphs through one query costs seconds on the full build.
    # A built store holds that union as its default graph (kg.core.merge): read it alone, each triple once.
    graph = ox.DefaultGraph() if has_merge(store) else None
    entities: dict[str, Entity] = {}
    for typ, kind in KINDS.items():
        for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(typ), graph):
            iri = q.subject.value
            e = entities.get(iri)
            if e is None:
                entities[iri] = Entity(iri, kind, {"_all": ""})
            elif _RANK.index(kind) < _RANK.index(e.kind):
                e.kind = kind
    for pred in LABELS:
        for q in store.quads_for_pattern(None, pred, None, graph):
            e = entities.get(q.subject.value)
            if e is not None:
                lang = getattr(q.object, "language", None) or ""
                e.labels.setdefault(lang, q.object.value)
                e.labels["_all"] += "\x1f" + q.object.value
    for prop, attr in (("inCountry", "country"), ("governs", "governs")):
        for q in store.quads_for_pattern(None, ox.NamedNode(CD + prop), None, graph):
            e = entities.get(q.subject.value)
            if e is not None:
                setattr(e, attr, q.object.value)
    by_key: dict[str, set[str]] = defaultdict(set)
    for e in entities.values():
        for label in filter(None, e.labels.pop("_all").split("\x1f")):
            k = key(label)
            if len(k) < 2:
                continue
            by_key[k].add(e.iri)
            words = TOKEN.findall(label.lower())
            heads = _DROPPABLE_HEADS.get(e.kind, ())
            if len(words) >= (2 if e.kind == "org" else 3) and words[0] in heads:
                by_key[key(" ".join(words[1:]))].add(e.iri)
            if e.kind == "person" and len(words) >= 2:  # a report names a person by surname after the first time
                surname = key(" ".join(words[2:] if words[0] in ("سید", "seyed", "sayyed") and len(words) > 2 else words[1:]))
                if len(surname) >= 4:
                    by_key[surname].add(e.iri)
    agreements = frozenset(q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(CD + "Agreement"), graph))
    return Gazetteer(entities, {k: sorted(v) for k, v in by_key.items()}, max(map(len, by_key), default=0), agreements)


def _inputs(settings: Settings) -> list[Path]:
    store = settings.store_dir
    if store.is_dir():
        return [p for p in store.iterdir() if p.is_file()] or [store]
    return sorted(settings.data_dir.glob("*/*.ttl"))


def _stamp(settings: Settings) -> bytes:
    return repr((_FORMAT, sorted((str(p), p.stat().st_mtime_ns) for p in _inputs(settings)))).encode()


def _cache(settings: Settings) -> Path:
    return settings.build_dir / "intake-gazetteer.pickle"


def save_gazetteer(settings: Settings, gaz: Gazetteer) -> None:
    """Keep `gaz` as the cache of the current inputs (the build calls this once its store is in place)."""
    write_cache(_cache(settings), (_stamp(settings), gaz))  # a read-only build folder only costs time


def load_gazetteer(settings: Settings | None = None) -> Gazetteer:
    settings = settings or Settings()
    stamp = _stamp(settings)
    saved = read_cache(_cache(settings))
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == stamp:
        return saved[1]
    if settings.store_dir.is_dir():
        gaz = gazetteer_of(ox.Store.read_only(str(settings.store_dir)))
    else:
        from kg.core import parse_file  # applies the review filter: candidates are not yet names the graph knows

        store = ox.Store()
        for path in _inputs(settings):
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in parse_file(path))
        gaz = gazetteer_of(store)
    save_gazetteer(settings, gaz)
    return gaz
