"""The `cdkg` command as a user runs it (a real subprocess)."""
from __future__ import annotations

import csv
import io
import json

import rdflib

from conftest import ROOT, run_cli


def test_query_text_as_table(built, settings):
    r = run_cli(["query", 'SELECT ?l WHERE { place:kazan rdfs:label ?l FILTER(lang(?l) = "en") }'], settings)
    assert r.returncode == 0, r.stderr
    assert "Kazan" in r.stdout and "1 row(s)" in r.stdout


def test_query_formats_csv_and_json(built, settings):
    q = 'SELECT ?l WHERE { place:kazan rdfs:label ?l } ORDER BY ?l'
    r = run_cli(["query", q, "--format", "csv"], settings)
    assert list(csv.reader(io.StringIO(r.stdout))) == [["l"], ["Kazan"], ["کازان"]]
    r = run_cli(["query", q, "--format", "json"], settings)
    data = json.loads(r.stdout)
    assert [b["l"]["value"] for b in data["results"]["bindings"]] == ["Kazan", "کازان"]
    assert data["results"]["bindings"][1]["l"]["xml:lang"] == "fa"


def test_named_query_and_query_file(built, settings):
    by_name = run_cli(["query", "isfahan-sister-cities", "--format", "csv"], settings)
    by_file = run_cli(["query", str(ROOT / "queries" / "isfahan-sister-cities.rq"), "--format", "csv"], settings, cwd=str(ROOT))
    relative = run_cli(["query", "queries/isfahan-sister-cities.rq", "--format", "csv"], settings, cwd=str(ROOT))
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == by_file.stdout == relative.stdout
    assert "Kazan" in by_name.stdout


def test_unknown_query_file_is_one_line_exit_2(built, settings):
    r = run_cli(["query", "queries/no-such.rq"], settings)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: query file not found") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_bad_sparql_is_one_line_exit_2(built, settings):
    r = run_cli(["query", "SELECT ?x WHERE { ?x ?y }"], settings)
    assert r.returncode == 2
    assert "SPARQL syntax error" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_query_without_a_build_says_to_build(tmp_path, settings):
    r = run_cli(["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], settings, env={"CDKG_BUILD_DIR": str(tmp_path / "none")})
    assert r.returncode == 2 and "run `cdkg build` first" in r.stderr


def test_stats_prints_classes_graphs_sources_documents(built, settings):
    r = run_cli(["stats"], settings)
    assert r.returncode == 0, r.stderr
    for heading in ("quads per source", "triples per named graph", "instances per class", "facts per source document"):
        assert heading in r.stdout
    # the totals say what they count: distinct triples (the default graph) and quads (named graphs)
    assert "triples (distinct: the default graph)" in r.stdout and "quads (in named graphs)" in r.stdout
    assert "seed-articles" in r.stdout and "https://w3id.org/cdkg/ontology#Agreement" in r.stdout


def test_export_formats_parse_back(settings, tmp_path):
    # rdflib needs minutes for the whole dataset (~0.9M quads with the imported sources): the
    # formats are checked on a build of the curated seed articles alone.
    import shutil

    from kg.dataset.builder import build
    from kg.core.config import Settings
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir / "seed-articles", data / "seed-articles")
    small = Settings(build_dir=tmp_path / "b", data_dir=data)
    build(small)
    for fmt, rdflib_fmt, cls in (("trig", "trig", rdflib.Dataset), ("nquads", "nquads", rdflib.Dataset),
                                 ("turtle", "turtle", rdflib.Graph), ("jsonld", "json-ld", rdflib.Graph)):
        out = tmp_path / f"dump.{fmt}"
        r = run_cli(["export", "--format", fmt, "--output", str(out)], small)
        assert r.returncode == 0, r.stderr
        g = cls()
        g.parse(out, format=rdflib_fmt)
        assert len(g) > 1000 if cls is rdflib.Graph else len(list(g.contexts())) > 3


def test_build_command_reports_counts(settings, tmp_path):
    # The curated seed articles: the command's report, not the data, is under test (the full data's build
    # is the session's `built`, and takes minutes here).
    import shutil

    import pyoxigraph as ox

    from kg.core.config import Settings
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir / "seed-articles", data / "seed-articles")
    s = Settings(build_dir=tmp_path / "b", data_dir=data)
    r = run_cli(["build"], s, env={"CDKG_DATA_DIR": str(data)})
    assert r.returncode == 0, r.stderr
    assert "asserted" in r.stdout and "inferred" in r.stdout and (tmp_path / "b" / "store").is_dir()
    quads = sum(1 for q in ox.Store.read_only(str(s.store_dir)) if not isinstance(q.graph_name, ox.DefaultGraph))
    assert f" ({quads} quads: " in r.stdout  # the figure it reports is the store's
