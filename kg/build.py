"""Build the dataset: ontology + every source folder, one named graph per file, then reasoning.

The on-disk store is written beside the old one and swapped in with a rename, so a failed build
(syntax error, interrupted run) leaves the previous build untouched.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from kg.config import Settings
from kg.load import INFERRED_GRAPH, META_GRAPH, add_triples, metadata_triples, ontology_files, parse_file
from kg.reason import ReasoningReport, reason_with_owlrl, reason_with_rules
from kg.sources import discover_sources

Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    graphs: dict[str, int] = field(default_factory=dict)
    asserted: int = 0
    inferred: int = 0
    reasoner: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    fingerprint: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def input_files(settings: Settings) -> list[Path]:
    files = [f for _, f in ontology_files(settings.ontology_dir)]
    for src in discover_sources(settings.data_dir):
        files += [src.folder / "source.toml", *src.files]
    return files


def fingerprint(settings: Settings) -> str:
    """Hash of every input file and the settings that change the output: tells if a build is stale."""
    h = hashlib.sha256(f"{settings.base_iri}|{settings.reasoner}".encode())
    for f in input_files(settings):
        h.update(str(f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def populate(store: ox.Store, settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Load, describe and reason into `store` (in memory or on disk)."""
    report = BuildReport(reasoner=settings.reasoner)
    t0 = time.perf_counter()
    sources = discover_sources(settings.data_dir)
    onto = ontology_files(settings.ontology_dir)
    data = [(s.graph_name(f), f) for s in sources for f in s.files]
    jobs = onto + data
    for i, (name, path) in enumerate(jobs):
        n = add_triples(store, parse_file(path, settings.base_iri), settings.graph_iri(name))
        report.graphs[name] = report.graphs.get(name, 0) + n
        if progress:
            progress("load", i + 1, len(jobs))
    meta = [t for s in sources for t in metadata_triples(s, settings.graph_iri)]
    report.graphs[META_GRAPH] = add_triples(store, meta, settings.graph_iri(META_GRAPH))
    report.asserted = sum(report.graphs.values())
    report.seconds["load"] = time.perf_counter() - t0

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
    return report


def build(settings: Settings | None = None, progress: Progress | None = None) -> BuildReport:
    """Build into settings.build_dir/store atomically and write manifest.json."""
    settings = settings or Settings()
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    tmp = settings.build_dir / f"store.tmp-{time.time_ns()}"
    try:
        store = ox.Store(str(tmp))
        t0 = time.perf_counter()
        report = populate(store, settings, progress)
        report.fingerprint = fingerprint(settings)
        store.flush()
        store.optimize()
        del store
        report.seconds["total"] = time.perf_counter() - t0
        old = settings.build_dir / f"store.old-{time.time_ns()}"
        if settings.store_dir.exists():
            settings.store_dir.rename(old)
        tmp.rename(settings.store_dir)
        shutil.rmtree(old, ignore_errors=True)
        settings.manifest_path.write_text(report.to_json(), encoding="utf-8")
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def is_stale(settings: Settings) -> bool:
    if not settings.manifest_path.is_file() or not settings.store_dir.is_dir():
        return True
    manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    return manifest.get("fingerprint") != fingerprint(settings)


def in_memory(settings: Settings | None = None) -> tuple[ox.Store, BuildReport]:
    """Build into a fresh in-memory store (tests, notebooks)."""
    store = ox.Store()
    return store, populate(store, settings or Settings())
