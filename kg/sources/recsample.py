"""Measuring reconciliation: draw a seeded random sample of place references from the mapped
sources, show what the reconciler did with each (for a person to judge), and recompute it later.

    python -m kg.sources.recsample draw  > tests/fixtures/reconciliation_sample.csv   # then judge each row
    python -m kg.sources.recsample extend tests/fixtures/reconciliation_sample.csv > new.csv  # judge the new rows
    python -m kg.sources.recsample extend-parts tests/fixtures/reconciliation_sample.csv > new.csv  # "City – District" rows
    python -m kg.sources.recsample score tests/fixtures/reconciliation_sample.csv       # precision and recall

The judging itself is done by hand (docs/reconciliation.md says how).
"""
from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.sources.gazetteer import distance_km, load_gazetteer
from kg.sources.importer import _number, _text, read_records
from kg.sources.ingestion import _seeds, gazetteer_cache_dir, load_mappings
from kg.core import add_triples, ontology_files, parse_file
from kg.sources.reconcile import PlaceQuery, Reconciler, RowError
from kg.sources.folders import discover_sources
from kg.sources.wikidata_places import divisions_from_sources
from kg.sources.admin_places import admin_places_from_sources

SEED = 20261125
FIELDS = ["sample_id", "source", "graph", "row", "place", "name", "country", "lat", "lon", "node", "status",
          "geonames_name", "geonames_country", "geonameid", "km", "method", "judgement", "note"]


@dataclass
class Ref:
    source: str
    graph: str
    row: int
    place: str
    query: PlaceQuery


def references(settings: Settings) -> list[Ref]:
    """Every place reference of every mapped record, in file order."""
    sources = discover_sources(settings.data_dir)
    out = []
    for m in load_mappings(sources, ontology_files(settings.ontology_dir), settings):
        for row, _, rec in read_records(m):
            for p in m.places:
                try:
                    q = PlaceQuery(_text(rec, p.name) or "", _text(rec, p.country), _number(rec, p.latitude, "latitude"),
                                   _number(rec, p.longitude, "longitude"), _text(rec, p.wikidata), p.unmatched_class)
                except RowError:
                    continue
                out.append(Ref(m.source_id, m.graph, row, p.alias, q))
    return out


def reconciler(settings: Settings) -> Reconciler:
    """A reconciler as the build makes it: the curated Turtle places are its seeds."""
    store, names = ox.Store(), []
    for src in discover_sources(settings.data_dir):
        for f in src.files:
            add_triples(store, parse_file(f), settings.graph_iri(src.graph_name(f)))
            names.append(src.graph_name(f))
    gaz_src = next((s for s in discover_sources(settings.data_dir) if s.kind == "gazetteer"), None)
    gaz = load_gazetteer(int(gaz_src.meta.get("min_city_population", 1000)) if gaz_src else 1000, gazetteer_cache_dir())
    graphs = [ox.NamedNode(settings.graph_iri(n)) for n in names]
    sources = discover_sources(settings.data_dir)
    return Reconciler(gaz, settings.base_iri, _seeds(store, graphs, gaz), divisions_from_sources(sources, gaz),
                      admin_places_from_sources(sources, gazetteer_cache_dir())[0])


def describe(rec: Reconciler, ref: Ref) -> dict:
    try:
        res = rec.resolve(ref.query)
        node, status, method = res.iri, res.status, res.method
        city = res.city
    except RowError as exc:
        node, status, method, city = "", "skipped", str(exc), None
    q = ref.query
    km = "" if city is None or q.lat is None else f"{distance_km(q.lat, q.lon, city.lat, city.lon):.1f}"
    return {"source": ref.source, "graph": ref.graph, "row": ref.row, "place": ref.place, "name": q.name,
            "country": q.country or "", "lat": "" if q.lat is None else q.lat, "lon": "" if q.lon is None else q.lon,
            "node": node.rsplit("/", 1)[-1], "status": status, "geonames_name": city.name if city else "",
            "geonames_country": city.country if city else "", "geonameid": city.geonameid if city else "",
            "km": km, "method": method}


def draw(settings: Settings, n: int = 200, per_small_source: int = 20) -> list[dict]:
    """n references drawn uniformly from all, plus `per_small_source` from each source that
    would otherwise hardly appear (so every source is judged)."""
    refs = references(settings)
    rng = random.Random(SEED)
    picked = rng.sample(range(len(refs)), n)
    by_source: dict[str, list[int]] = {}
    for i, r in enumerate(refs):
        by_source.setdefault(r.source, []).append(i)
    for source, idx in sorted(by_source.items()):
        if len(idx) < len(refs) / 10:
            extra = [i for i in idx if i not in picked]
            picked += rng.sample(extra, min(per_small_source, len(extra)))
    rec = reconciler(settings)
    rows = []
    for k, i in enumerate(picked, 1):
        rows.append({"sample_id": k, **describe(rec, refs[i]), "judgement": "", "note": ""})
    return rows


# The matching mistakes issue 12 named (tests/test_matching_regressions.py), judged in every sample:
# (source, name, country text or None for any); the first reference of the source with them.
PROBLEM_ROWS = [
    ("twin-towns-wikipedia", n, c) for n, c in [
        ("Lengnau, Bern", None), ("Lengnau, Aargau", None), ("Lengnau", None), ("Coventry, Connecticut", None),
        ("Coventry, Rhode Island", None), ("Mitte (Hamburg)", None), ("Mitte (Berlin)", None),
        ("Asparuhovo (Karnobat)", None), ("Bailly", None), ("Parcé", None), ("Dürnau", None), ("Alagoas", None),
        ("Christchurch", "England"), ("Christchurch", "New Zealand"), ("Lagoa, Algarve", None), ("Lagoa, Azores", None)]
] + [("wikidata-twin-cities", "Nienburg", "DE"), ("wikidata-twin-cities", "Whittier", "US")]
PROBLEM_TWO_POINTS = {"Nienburg", "Whittier"}  # both namesakes: two references at different points
EXTENSION_SEED = 20261201


def extend(settings: Settings, existing: list[dict], n: int = 40, per_new_rule: int = 20) -> list[dict]:
    """Rows to add to a judged sample: the issue's problem rows, `n` more references drawn uniformly
    (seed EXTENSION_SEED) and `per_new_rule` drawn from those the issue-12 item-4 rules identify (a
    Wikidata administrative body, or a GeoNames place of 500-999 people with no bigger namesake)."""
    refs = references(settings)
    have = {(r["source"], r["graph"], int(r["row"]), r["place"]) for r in existing}
    key = lambda r: (r.source, r.graph, r.row, r.place)  # noqa: E731
    picked: list[int] = []
    for source, name, country in PROBLEM_ROWS:
        found = [i for i, r in enumerate(refs) if r.source == source and r.query.name == name
                 and (country is None or r.query.country == country)]
        points: set[tuple] = set()
        for i in found:
            where = (refs[i].query.lat, refs[i].query.lon)
            if key(refs[i]) in have or i in picked or where in points:
                continue
            picked.append(i)
            points.add(where)
            if name not in PROBLEM_TWO_POINTS or len(points) == 2:
                break
    rng = random.Random(EXTENSION_SEED)
    pool = [i for i, r in enumerate(refs) if key(r) not in have and i not in picked]
    picked += rng.sample(pool, n)
    rec = reconciler(settings)
    new_rule = [i for i in pool if i not in picked and _new_rule(rec, refs[i])]
    picked += rng.sample(new_rule, min(per_new_rule, len(new_rule)))
    start = max(int(r["sample_id"]) for r in existing) + 1 if existing else 1
    return [{"sample_id": start + k, **describe(rec, refs[i]), "judgement": "", "note": ""} for k, i in enumerate(picked)]


def extend_parts(settings: Settings, existing: list[dict], n: int = 16) -> list[dict]:
    """`n` rows drawn (seed EXTENSION_SEED + 1) from the references the "Container – Part" rule
    resolves, which the first extension predates."""
    refs = references(settings)
    have = {(r["source"], r["graph"], int(r["row"]), r["place"]) for r in existing}
    rec = reconciler(settings)
    pool = [i for i, r in enumerate(refs) if " – " in r.query.name and (r.source, r.graph, r.row, r.place) not in have
            and _resolved_as_part(rec, r)]
    picked = random.Random(EXTENSION_SEED + 1).sample(pool, min(n, len(pool)))
    start = max(int(r["sample_id"]) for r in existing) + 1 if existing else 1
    return [{"sample_id": start + k, **describe(rec, refs[i]), "judgement": "", "note": ""} for k, i in enumerate(picked)]


def extend_admin(settings: Settings, existing: list[dict], n: int = 40) -> list[dict]:
    """`n` rows drawn (seed EXTENSION_SEED + 2) from the references the last-resort gazetteer (the
    countries-states-cities database, kg/sources/admin_places.py) identifies."""
    refs = references(settings)
    have = {(r["source"], r["graph"], int(r["row"]), r["place"]) for r in existing}
    rec = reconciler(settings)
    pool = [i for i, r in enumerate(refs) if (r.source, r.graph, r.row, r.place) not in have and _status(rec, r) == "admin"]
    picked = random.Random(EXTENSION_SEED + 2).sample(pool, min(n, len(pool)))
    start = max(int(r["sample_id"]) for r in existing) + 1 if existing else 1
    return [{"sample_id": start + k, **describe(rec, refs[i]), "judgement": "", "note": ""} for k, i in enumerate(picked)]


def _status(rec: Reconciler, ref: Ref) -> str:
    try:
        return rec.resolve(ref.query).status
    except RowError:
        return "skipped"


def _resolved_as_part(rec: Reconciler, ref: Ref) -> bool:
    try:
        res = rec.resolve(ref.query)
    except RowError:
        return False
    return res.status != "unmatched" and "(as '" in res.method and ref.query.name.split(" – ", 1)[1].strip() in res.method


def _new_rule(rec: Reconciler, ref: Ref) -> bool:
    try:
        res = rec.resolve(ref.query)
    except RowError:
        return False
    return res.status == "division" or "not of 1000+" in res.method


def current_nodes(settings: Settings, rows: list[dict]) -> dict[str, str]:
    """sample_id -> the node the reconciler gives that reference today."""
    refs = {(r.source, r.graph, r.row, r.place): r for r in references(settings)}
    rec = reconciler(settings)
    out = {}
    for row in rows:
        ref = refs.get((row["source"], row["graph"], int(row["row"]), row["place"]))
        out[row["sample_id"]] = describe(rec, ref)["node"] if ref else "(row gone)"
    return out


def score(rows: list[dict]) -> dict:
    """Precision = correct matches / all matches; recall = correct matches / (correct matches +
    references left unmatched although the gazetteer has the right place)."""
    n = {k: sum(1 for r in rows if r["judgement"] == k) for k in ("correct", "wrong", "missed", "correctly-unmatched")}
    matched = n["correct"] + n["wrong"]
    out = {"rows": len(rows), **n,
           "precision": round(n["correct"] / matched, 4) if matched else None,
           "recall": round(n["correct"] / (n["correct"] + n["missed"]), 4) if n["correct"] + n["missed"] else None}
    per_source = {}
    for s in sorted({r["source"] for r in rows}):
        sub = [r for r in rows if r["source"] == s]
        c, w, m = (sum(1 for r in sub if r["judgement"] == k) for k in ("correct", "wrong", "missed"))
        per_source[s] = {"rows": len(sub), "correct": c, "wrong": w, "missed": m,
                         "precision": round(c / (c + w), 4) if c + w else None, "recall": round(c / (c + m), 4) if c + m else None}
    out["per_source"] = per_source
    return out


def main(argv: list[str]) -> int:
    settings = Settings()
    if argv[:1] == ["draw"]:
        w = csv.DictWriter(sys.stdout, FIELDS)
        w.writeheader()
        w.writerows(draw(settings))
        return 0
    if argv[:1] in (["extend"], ["extend-parts"], ["extend-admin"]) and len(argv) == 2:
        with Path(argv[1]).open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        w = csv.DictWriter(sys.stdout, FIELDS)
        w.writeheader()
        more = {"extend": extend, "extend-parts": extend_parts, "extend-admin": extend_admin}[argv[0]]
        w.writerows(rows + more(settings, rows))
        return 0
    if argv[:1] == ["score"] and len(argv) == 2:
        with Path(argv[1]).open(encoding="utf-8") as fh:
            print(score(list(csv.DictReader(fh))))
        return 0
    print("usage: python -m kg.sources.recsample draw | extend FILE | extend-parts FILE | extend-admin FILE | score FILE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
