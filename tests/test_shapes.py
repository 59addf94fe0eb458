"""The SHACL shapes against their examples: every valid example conforms with no result, every invalid
example gives exactly the results its header declares (focus node, shape or SPARQL constraint,
constraint component, severity). Validated by pyshacl (the reference) with meta-SHACL on, together
with tests/shapes/context.ttl, the ontology and its inferences."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.core.config import Settings
from kg.core.convert import to_rdflib
from kg.validation.validate import load_shapes, read_contribution, run_engine, standalone_store

FIXTURES = Path(__file__).resolve().parent / "shapes"
CONTEXT = FIXTURES / "context.ttl"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SH = "http://www.w3.org/ns/shacl#"
_EXPECT = re.compile(r"^# expect: (\S+) (\S+) (\S+) (Violation|Warning|Info)\s*$")


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(build_dir=tmp_path_factory.mktemp("shapes-build"))


def _prefixes(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.", path.read_text(encoding="utf-8"), re.M))


def _iri(curie: str, prefixes: dict[str, str]) -> str:
    if curie.startswith("<"):
        return curie[1:-1]
    p, local = curie.split(":", 1)
    return prefixes[p] + local


def _node(spec: str, prefixes: dict[str, str], store: ox.Store) -> rdflib.term.Node:
    """`agr:x`, or `ev:x/cd:attestedBy[/...]` for a blank node reached from a named one."""
    first, *steps = spec.split("/") if not spec.startswith("<") else (spec, )
    node: ox.Term = ox.NamedNode(_iri(first, prefixes))
    for step in steps:
        found = {q.object for q in store.quads_for_pattern(node, ox.NamedNode(_iri(step, prefixes)), None, None)}
        assert len(found) == 1, f"{spec}: {step} leads to {len(found)} nodes"
        node = found.pop()
    return to_rdflib(node)


def _results(paths: list[Path], settings: Settings):
    contribution, _ = read_contribution([CONTEXT, *paths], settings)
    store = standalone_store(contribution, settings)
    report = run_engine(store, load_shapes(settings.shapes_dir), "pyshacl", meta_shacl=True)
    return report, store


def _observed(report) -> Counter:
    return Counter((r.focus, str(r.constraint if r.constraint is not None else r.shape), str(r.component),
                    r.severity_name) for r in report.results)


def test_fixtures_are_found_from_the_package_path():
    assert CONTEXT.is_file()
    assert len(VALID) == 6, [p.name for p in VALID]
    assert len(INVALID) == 56, [p.name for p in INVALID]
    for path in INVALID:
        assert any(_EXPECT.match(line) for line in path.read_text(encoding="utf-8").splitlines()), f"{path.name}: no '# expect:' line"


def test_shapes_pass_meta_shacl(settings):
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(load_shapes(settings.shapes_dir))
    assert conforms, text


def test_every_constraint_has_a_message(settings):
    """Each named shape and SPARQL constraint tells the curator what is wrong and how to fix it."""
    g = load_shapes(settings.shapes_dir)
    shacl = rdflib.Namespace(SH)
    silent = []
    for s in set(g.subjects(rdflib.RDF.type, shacl.PropertyShape)) | set(g.subjects(rdflib.RDF.type, shacl.SPARQLConstraint)):
        if not list(g.objects(s, shacl.message)):
            silent.append(str(s))
    for s in g.subjects(shacl.targetClass, None):  # node-level constraints (sh:not, sh:or) need one too
        if any((s, p, None) in g for p in (shacl["not"], shacl["or"])) and not list(g.objects(s, shacl.message)):
            silent.append(str(s))
    assert not silent, silent


def test_context_alone_conforms_with_no_result(settings):
    report, _ = _results([], settings)
    assert report.results == []


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_has_no_result(path, settings):
    report, store = _results([path], settings)
    assert sorted(r.key() for r in report.results) == []
    assert run_engine(store, load_shapes(settings.shapes_dir), "fast").results == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_gives_exactly_the_declared_results(path, settings):
    prefixes = _prefixes(path)
    report, store = _results([path], settings)
    expected = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _EXPECT.match(line)
        if m:
            focus, shape, component, severity = m.groups()
            expected[(_node(focus, prefixes, store), _iri(shape, prefixes), _iri(component, prefixes), severity)] += 1
    assert _observed(report) == expected
    # The fast path (shapes compiled to SPARQL on Oxigraph) reports exactly what pyshacl reports.
    fast = run_engine(store, load_shapes(settings.shapes_dir), "fast")
    assert fast.engine == "fast"
    assert sorted(r.key() for r in fast.results) == sorted(r.key() for r in report.results)
