"""Building: one named graph per file, atomic replacement, clear errors on bad input."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.dataset.builder import build, is_stale
from kg.core.config import Settings
from kg.core.errors import DataSyntaxError, SourceMetadataError


def test_every_data_file_is_its_own_named_graph(built, settings):
    for path in settings.data_dir.glob("*/*.ttl"):
        assert built.graphs[f"{path.parent.name}/{path.stem}"] > 0, path
    assert built.graphs["ontology"] > 1000
    assert built.inferred > 0
    manifest = json.loads(settings.manifest_path.read_text())
    assert manifest["fingerprint"] and not is_stale(settings)


def test_inferred_triples_live_in_their_own_graph(store, settings):
    inferred = ox.NamedNode(settings.graph_iri("inferred"))
    assert any(store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/cdkg/ontology#hasAgreementWith"), None, inferred))
    assert not any(store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/cdkg/ontology#hasAgreementWith"), None, ox.NamedNode(settings.graph_iri("seed-articles/agreements"))))


def _copy_data(tmp_path: Path, settings: Settings, *sources: str) -> Path:
    # the curated seed articles (and `sources`) only: these tests are about build mechanics, and a build
    # of all the imported sources takes minutes on the shared test machine
    data = tmp_path / "data"
    for name in ("seed-articles", *sources):
        shutil.copytree(settings.data_dir / name, data / name)
    return data


def test_syntax_error_names_file_and_line_and_keeps_previous_build(tmp_path, settings):
    data = _copy_data(tmp_path, settings)
    s = Settings(build_dir=tmp_path / "build", data_dir=data)
    build(s)
    before = sorted(p.name for p in s.store_dir.iterdir())
    bad = data / "seed-articles" / "zz-broken.ttl"
    bad.write_text('@prefix cd: <https://w3id.org/cdkg/ontology#> .\n\n<urn:a> cd:subject "unterminated .\n', encoding="utf-8")
    with pytest.raises(DataSyntaxError) as err:
        build(s)
    assert err.value.path == str(bad) and err.value.line == 3
    assert f"{bad}:3" in str(err.value)
    assert sorted(p.name for p in s.store_dir.iterdir()) == before
    assert len(ox.Store.read_only(str(s.store_dir))) > 1000
    assert [p.name for p in s.build_dir.iterdir() if p.name.startswith("store.")] == []


def test_missing_source_metadata_is_reported(tmp_path, settings):
    data = _copy_data(tmp_path, settings)
    (data / "orphan").mkdir()
    (data / "orphan" / "x.ttl").write_text("", encoding="utf-8")
    with pytest.raises(SourceMetadataError, match="orphan: no source.toml"):
        build(Settings(build_dir=tmp_path / "build", data_dir=data))


def test_changed_data_makes_the_build_stale(tmp_path, settings):
    data = _copy_data(tmp_path, settings)
    s = Settings(build_dir=tmp_path / "build", data_dir=data)
    build(s)
    assert not is_stale(s)
    (data / "seed-articles" / "entities.ttl").write_text((data / "seed-articles" / "entities.ttl").read_text() + "\n# edit\n")
    assert is_stale(s)


def test_deployer_can_rebase_data_iris(tmp_path, settings):
    # The seed articles, one mapped source and the gazetteer: every way a data IRI is made (written in
    # Turtle, minted by a mapping, matched in the gazetteer), without the minutes of a full build.
    data = _copy_data(tmp_path, settings, "unesco-creative-cities", "geonames", "country-names-fa")
    s = Settings(build_dir=tmp_path / "build", data_dir=data, base_iri="https://example.org/kg/")
    build(s)
    store = ox.Store.read_only(str(s.store_dir))
    isfahan = ox.NamedNode("https://example.org/kg/id/place/isfahan")
    for graph in ("seed-articles/entities", "unesco-creative-cities/creative-cities", "geonames/places"):
        assert any(store.quads_for_pattern(isfahan, None, None, ox.NamedNode(f"https://example.org/kg/graph/{graph}"))), graph
    assert not any(store.quads_for_pattern(ox.NamedNode("https://w3id.org/cdkg/id/place/isfahan"), None, None))
    assert not [q for q in store if "https://w3id.org/cdkg/id/" in str(q)][:3]  # no data IRI left on the canonical base
