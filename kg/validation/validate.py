"""The SHACL publication gate: validate the build, files, or a contribution in context.

Engines: "pyshacl" is the reference (the whole data as an rdflib graph, pyshacl's own evaluation);
"fast" (default) runs the shapes compiled to SPARQL on Oxigraph (kg.validation.shacl_fast) and gives the same
results (tests/test_validate.py). Both see the build's materialised inferences (graph <…/inferred>),
so shapes see entailed types without re-reasoning; contributions get incremental inference
(kg.validation.contribution).
"""
from __future__ import annotations

import logging
import sys
import time
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
import rdflib

from kg.core import Settings
from kg.validation.contribution import SCOPE_GRAPH, Contribution, scratch_copy, stage
from kg.core import to_ox, to_rdflib
from kg.core import CdkgError, DataSyntaxError
from kg.core import add_triples, ontology_files, parse_file, rdf_format, sync_merge
from kg.core import RDFS
from kg.validation.shacl_results import ValidationReport, ValidationResult, results_from_pyshacl
from kg.validation.source_lines import definition_line
from kg.sources import discover_sources
from kg.validation.untrusted import Limits, precheck

ENGINES = ("fast", "pyshacl")
CONTRIBUTION_GRAPH = "contribution"
_LABEL = ox.NamedNode(RDFS + "label")


class ShapesError(CdkgError):
    """The shapes folder is missing, empty or does not parse."""


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    # rdflib logs a traceback for every ill-typed literal it converts; the report already says it.
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@lru_cache(maxsize=8)
def _shapes_cached(folder: str, stamp: tuple) -> rdflib.Graph:
    g = rdflib.Graph()
    for path, _ in stamp:
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several types for bad Turtle
            raise ShapesError(f"{path}: the shapes do not parse: {exc}. Fix the file.") from None
    return g


def load_shapes(folder: Path) -> rdflib.Graph:
    """All *.ttl of the shapes folder as one rdflib graph (cached until a file changes)."""
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if not files:
        raise ShapesError(f"no shapes (*.ttl) in {folder}: set CDKG_SHAPES_DIR to the shapes folder.")
    return _shapes_cached(str(folder), tuple((str(f), f.stat().st_mtime_ns) for f in files))


@lru_cache(maxsize=8)
def _compiled(shapes: rdflib.Graph):
    from kg.validation.shacl_fast import compile_shapes

    return compile_shapes(shapes)


def _store_as_rdflib(store: ox.Store) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, None):
        if q.graph_name != SCOPE_GRAPH:
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _drop_owlrl_gregorian_converters() -> None:
    """owlrl (imported by pyshacl's meta-SHACL run) registers rdflib converters for xsd:gMonth, gDay...
    that reject valid values ("--10"^^xsd:gMonth), after which pyshacl reports them as ill-typed.
    Without them rdflib, pyshacl and the fast path all follow XSD."""
    mapping = rdflib.term._toPythonMapping
    for dt, conv in list(mapping.items()):
        if str(dt).startswith(str(rdflib.XSD) + "g") and getattr(conv, "__module__", "").startswith("owlrl"):
            del mapping[dt]


@lru_cache(maxsize=8)
def _meta_validate(shapes: rdflib.Graph) -> None:
    """The shapes against SHACL's own shapes (meta-SHACL), once per shapes graph."""
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(shapes)
    if not conforms:
        raise ShapesError(f"the shapes are not valid SHACL (meta-SHACL):\n{text}")


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph, meta_shacl: bool = False) -> list[ValidationResult]:
    """The reference: plain pyshacl over the data (inferences included), results with the data's own terms."""
    import pyshacl
    from pyshacl.graph_abstraction import DataGraph

    if meta_shacl:
        _meta_validate(shapes)
    _drop_owlrl_gregorian_converters()

    class Capturing(pyshacl.Validator):
        captured: list = []

        def create_validation_report(self, sg, conforms, results):
            Capturing.captured = list(results)
            return super().create_validation_report(sg, conforms, results)

    validator = Capturing(DataGraph.from_rdflib(data), shacl_graph=shapes,
                          options={"allow_warnings": True, "allow_infos": True, "inplace": True})
    validator.run()
    return results_from_pyshacl(Capturing.captured)


def run_engine(store: ox.Store, shapes: rdflib.Graph, engine: str = "fast", scope: set | None = None,
               meta_shacl: bool = False) -> ValidationReport:
    """Validate every graph of `store` (minus the scope graph) with one engine.

    With `scope` (the scope graph is then in the store), only results on those nodes are kept: the
    fast engine only checks them, pyshacl checks everything and filters (to compare the two)."""
    if engine not in ENGINES:
        raise CdkgError(f"unknown validation engine '{engine}': choose {' or '.join(ENGINES)}.")
    t0 = time.perf_counter()
    used = engine
    with _quiet_rdflib():
        if engine == "fast":
            from kg.validation.shacl_fast import UnsupportedShape, run_checks

            try:
                compiled = _compiled(shapes)
            except UnsupportedShape as exc:
                used = f"pyshacl (fast path unavailable: {exc})"
            else:
                results = run_checks(store, compiled, SCOPE_GRAPH if scope is not None else None)
        if used != "fast":
            results = run_pyshacl(_store_as_rdflib(store), shapes, meta_shacl=meta_shacl)
            if scope is not None:
                in_scope = {to_rdflib(n) for n in scope}
                results = [r for r in results if r.focus in in_scope]
    return ValidationReport(results=results, engine=used, seconds=time.perf_counter() - t0,
                            focus_scope=len(scope) if scope is not None else None)


# -- describing focus nodes for people: labels, owner of a blank node, file and line ----------------

def graph_files(settings: Settings) -> dict[str, Path]:
    """Named graph IRI -> the file it was loaded from (the build's layout, kg.dataset.builder)."""
    out = {settings.graph_iri(name): path for name, path in ontology_files(settings.ontology_dir)}
    for src in discover_sources(settings.data_dir):
        for f in src.files:
            out[settings.graph_iri(src.graph_name(f))] = f
    return out


def _owner(store: ox.Store, node: ox.BlankNode) -> tuple[ox.Term, ox.NamedNode] | None:
    for q in store.quads_for_pattern(None, None, node, None):
        if q.graph_name != SCOPE_GRAPH:
            return q.subject, q.predicate
    return None


def describe(report: ValidationReport, store: ox.Store, files: dict[str, Path]) -> None:
    """Fill report.labels / owners / locations for the focus nodes (for the human report)."""
    for focus in {r.focus for r in report.results}:
        node = to_ox(focus)
        anchor = node
        for _ in range(4):  # a blank node is shown through the named node that holds it
            if not isinstance(anchor, ox.BlankNode):
                break
            owner = _owner(store, anchor)
            if owner is None:
                break
            report.owners.setdefault(focus, []).append((to_rdflib(owner[1]), to_rdflib(owner[0])))
            anchor = owner[0]
        labels = {}
        for q in store.quads_for_pattern(anchor, _LABEL, None, None):
            if isinstance(q.object, ox.Literal) and q.object.language in ("en", "fa"):
                labels.setdefault(q.object.language, q.object.value)
        report.labels[focus] = labels
        where = []
        if isinstance(anchor, ox.NamedNode):
            seen = set()
            for q in store.quads_for_pattern(anchor, None, None, None):
                path = files.get(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None
                if path is not None and path not in seen:
                    seen.add(path)
                    where.append((str(path), definition_line(path, anchor.value)))
        report.locations[focus] = sorted(where, key=lambda w: w[0])


# -- what users call ----------------------------------------------------------------------------

def validate_store(store: ox.Store, settings: Settings | None = None, engine: str = "fast",
                   files: dict[str, Path] | None = None, meta_shacl: bool = False) -> ValidationReport:
    """Validate a built store (all its graphs, with their inferences)."""
    settings = settings or Settings()
    report = run_engine(store, load_shapes(settings.shapes_dir), engine, meta_shacl=meta_shacl)
    describe(report, store, files if files is not None else graph_files(settings))
    return report


def validate_build(settings: Settings | None = None, engine: str = "fast", build_if_stale: bool = True) -> ValidationReport:
    """Validate the current build (building first when it is missing or out of date)."""
    from kg.dataset import build, is_stale
    from kg.core import open_store

    settings = settings or Settings()
    if build_if_stale and is_stale(settings):
        build(settings)
    return validate_store(open_store(settings), settings, engine)


def read_contribution(paths: Iterable[Path], settings: Settings) -> tuple[Contribution, dict[str, Path]]:
    """Parse contribution files (syntax errors name file, line and column), one graph per file."""
    contribution, files = Contribution(), {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise CdkgError(f"{path}: no such file. Give Turtle, TriG, N-Triples, N-Quads or JSON-LD files to validate.")
        iri = settings.graph_iri(f"{CONTRIBUTION_GRAPH}/{path.stem}")
        n = 2
        while ox.NamedNode(iri) in contribution.graphs:
            iri, n = settings.graph_iri(f"{CONTRIBUTION_GRAPH}/{path.stem}-{n}"), n + 1
        # A contribution is untrusted: nesting that would crash the parser, or RDF/XML entities, are refused first.
        precheck(path.read_bytes(), rdf_format(path), Limits.from_settings(settings, max_bytes=sys.maxsize), str(path))
        contribution.graphs[ox.NamedNode(iri)] = parse_file(path, settings.base_iri)
        files[iri] = path
    return contribution, files


def own_graphs(paths: Iterable[Path], settings: Settings) -> set[ox.NamedNode]:
    """The named graphs the build made from these files, for those that are files of a source folder."""
    built = {f.resolve(): s.graph_name(f) for s in discover_sources(settings.data_dir) for f in s.files}
    return {ox.NamedNode(settings.graph_iri(built[p])) for p in map(lambda x: Path(x).resolve(), paths) if p in built}


def _drop_graphs(store: ox.Store, graphs: set[ox.NamedNode]) -> None:
    """A file checked again replaces what the build made of it: its blank nodes would count twice."""
    for g in graphs:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
        if triples:
            store.remove_graph(g)
            sync_merge(store, [], triples)


def validate_contribution(contribution: Contribution, context: ox.Store, settings: Settings | None = None,
                          engine: str = "fast", files: dict[str, Path] | None = None,
                          in_place: bool = False, replaces: set[ox.NamedNode] | None = None) -> ValidationReport:
    """Validate a contribution in the context of a built store; only the nodes it touches are checked.
    `replaces`: graphs of the context the contribution stands for (a data file checked again, see own_graphs).

    The context store is not modified (the work happens on a throw-away copy), unless `in_place`:
    the caller's context is already a throw-away copy (the service's upload workers)."""
    settings = settings or Settings()
    shapes = load_shapes(settings.shapes_dir)
    with (nullcontext(context) if in_place else scratch_copy(context)) as scratch:
        _drop_graphs(scratch, replaces or set())
        scope = stage(scratch, settings, contribution)
        report = run_engine(scratch, shapes, engine, scope=scope)
        describe(report, scratch, {**graph_files(settings), **(files or {})})
    return report


def standalone_store(contribution: Contribution, settings: Settings | None = None) -> ox.Store:
    """An in-memory store of the ontology and the contribution, with the ontology's inferences."""
    from kg.core import INFERRED_GRAPH
    from kg.dataset import reason_with_rules

    settings = settings or Settings()
    store = ox.Store()
    onto = []
    for name, path in ontology_files(settings.ontology_dir):
        add_triples(store, parse_file(path, settings.base_iri), settings.graph_iri(name))
        onto.append(ox.NamedNode(settings.graph_iri(name)))
    for graph, triples in contribution.graphs.items():
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    reason_with_rules(store, list(store.named_graphs()), onto, ox.NamedNode(settings.graph_iri(INFERRED_GRAPH)))
    return store


def validate_standalone(contribution: Contribution, settings: Settings | None = None, engine: str = "fast",
                        files: dict[str, Path] | None = None, meta_shacl: bool = False) -> ValidationReport:
    """Validate files on their own (with the ontology and its inferences, without the published data)."""
    settings = settings or Settings()
    store = standalone_store(contribution, settings)
    report = run_engine(store, load_shapes(settings.shapes_dir), engine, meta_shacl=meta_shacl)
    describe(report, store, {**graph_files(settings), **(files or {})})
    return report


def validate_files(paths: Iterable[Path], settings: Settings | None = None, engine: str = "fast",
                   context: bool = True) -> ValidationReport:
    """`cdkg validate FILE...`: a contribution checked against the build (built if needed), or alone."""
    from kg.dataset import build, is_stale
    from kg.core import open_store

    settings = settings or Settings()
    paths = list(paths)
    contribution, files = read_contribution(paths, settings)
    if not context:
        return validate_standalone(contribution, settings, engine, files)
    if is_stale(settings):
        build(settings)
    return validate_contribution(contribution, open_store(settings), settings, engine, files,
                                 replaces=own_graphs(paths, settings))


def parse_body(data: bytes, fmt: ox.RdfFormat, settings: Settings, name: str = "request body") -> Contribution:
    """A request body as a contribution; a syntax error names line and column."""
    from kg.core import rebase_term  # same rebasing as files
    from kg.core import CANONICAL_BASE

    try:
        quads = list(ox.parse(data, format=fmt))
    except SyntaxError as exc:
        raise DataSyntaxError(name, exc.lineno, exc.offset, exc.msg or str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataSyntaxError(name, None, None, str(exc)) from None
    triples = [q.triple for q in quads]
    if settings.base_iri != CANONICAL_BASE:
        old, new = CANONICAL_BASE + "id/", settings.base_iri + "id/"
        triples = [ox.Triple(rebase_term(t.subject, old, new), t.predicate, rebase_term(t.object, old, new)) for t in triples]
    return Contribution({ox.NamedNode(settings.graph_iri(f"{CONTRIBUTION_GRAPH}/request")): triples})


def check_before_commit(store: ox.Store, new_quads: list[ox.Quad]) -> list[str]:
    """Seam for the service's write gate (api/write_gate.py): the Violations a write would introduce.

    `store` is the staged dataset (already holding `new_quads`); it is not modified."""
    if not new_quads:
        return []
    settings = Settings()
    shapes = load_shapes(settings.shapes_dir)
    with scratch_copy(store) as scratch:
        from kg.validation.contribution import infer_delta, touched_nodes
        from kg.core import INFERRED_GRAPH

        triples = [q.triple for q in new_quads]
        inferred = infer_delta(scratch, settings, triples, ox.NamedNode(settings.graph_iri(INFERRED_GRAPH)))
        scope = touched_nodes(triples) | {t.subject for t in inferred}
        from kg.validation.contribution import _IN_SCOPE, _TRUE

        scratch.extend(ox.Quad(n, _IN_SCOPE, _TRUE, SCOPE_GRAPH) for n in scope)
        report = run_engine(scratch, shapes, "fast", scope=scope)
    out = []
    for r in report.sorted():
        if r.severity_name == "Violation":
            path = f" {r.path.n3()}" if r.path is not None else ""
            out.append(f"{r.focus.n3()}{path}: {' '.join(r.messages) or 'violates ' + str(r.shape)}")
    return out


__all__ = ["ENGINES", "ShapesError", "check_before_commit", "describe", "graph_files", "load_shapes",
           "parse_body", "read_contribution", "run_engine", "run_pyshacl", "standalone_store", "validate_build",
           "validate_contribution", "validate_files", "validate_standalone", "validate_store"]
