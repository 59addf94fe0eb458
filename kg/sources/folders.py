"""Source folders under data/: each has a source.toml (metadata, quality bounds) and Turtle files.

Each Turtle file becomes the named graph <{base}graph/{source id}/{file stem}>. A folder may also
hold mapping files (*.mapping.toml, see kg.sources.mapping) that turn a CSV or JSON file into the graph
<{base}graph/{source id}/{graph named in the mapping}> at build time; a folder whose source.toml
says `kind = "gazetteer"` receives the gazetteer facts of the places reconciliation matched (and
`kind = "admin-gazetteer"` those of the places taken from the last-resort gazetteer).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from kg.core import DCAT, DCTERMS, RDF, RDFS, SourceMetadataError

REQUIRED_KEYS = ("id", "title", "publisher", "licence", "retrieved")


# The gazetteer source's second graph: Persian labels chosen from GeoNames (kg.sources.labels).
PERSIAN_NAMES_GRAPH = "persian-names"


@dataclass(frozen=True)
class Source:
    folder: Path
    meta: dict
    files: tuple[Path, ...] = field(default_factory=tuple)
    mappings: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "files")

    @property
    def graph_names(self) -> list[str]:
        """Every named graph this source contributes (Turtle files, mappings, gazetteer)."""
        names = [self.graph_name(f) for f in self.files]
        for m in self.mappings:
            names.append(f"{self.id}/{mapping_graph(m)}")
        if self.kind == "gazetteer":
            names += [f"{self.id}/{self.meta.get('graph', 'places')}", f"{self.id}/{PERSIAN_NAMES_GRAPH}"]
        elif self.kind == "admin-gazetteer":  # the places the reconciler took from it (kg.sources.admin_places)
            names.append(f"{self.id}/{self.meta.get('graph', 'places')}")
        return names

    @property
    def inputs(self) -> list[Path]:
        """Files whose content determines the source's graphs (for staleness)."""
        data = []
        for m in self.mappings:
            f = mapping_input(m)
            if f and f.is_file():
                data.append(f)
        return [*self.files, *self.mappings, *data]

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def quality(self) -> dict:
        return self.meta.get("quality", {})

    def graph_name(self, file: Path) -> str:
        return f"{self.id}/{file.stem}"


def read_source(folder: Path) -> Source:
    meta_path = folder / "source.toml"
    if not meta_path.is_file():
        raise SourceMetadataError(f"{folder}: no source.toml. Every data folder needs one with {', '.join(REQUIRED_KEYS)}.")
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceMetadataError(f"{meta_path}: invalid TOML: {exc}") from exc
    missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise SourceMetadataError(f"{meta_path}: missing {', '.join(missing)}; add them (see data/seed-articles/source.toml).")
    if meta["id"] != folder.name:
        raise SourceMetadataError(f"{meta_path}: id '{meta['id']}' must equal the folder name '{folder.name}'.")
    files = tuple(sorted(p for p in folder.glob("*.ttl")))
    mappings = tuple(sorted(folder.glob("*.mapping.toml")))
    return Source(folder=folder, meta=meta, files=files, mappings=mappings)


def _mapping_input_table(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("input", {}) or {}
    except (tomllib.TOMLDecodeError, OSError):
        return {}  # kg.sources.mapping.load_mapping reports the error with its details


def mapping_graph(path: Path) -> str:
    """The graph a mapping file writes (its [input] graph; the file name's stem if it gives none)."""
    return _mapping_input_table(path).get("graph") or path.name.removesuffix(".mapping.toml")


def mapping_input(path: Path) -> Path | None:
    f = _mapping_input_table(path).get("file")
    return path.parent / f if f else None


def discover_sources(data_root: Path) -> list[Source]:
    if not data_root.is_dir():
        raise SourceMetadataError(f"data folder {data_root} does not exist (set CDKG_DATA_DIR).")
    return [read_source(d) for d in sorted(data_root.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))]


def metadata_triples(source: Source, graph_iri_of) -> Iterator[ox.Triple]:
    """DCAT description of a source folder and the graphs it contributes."""
    meta = source.meta
    ds = ox.NamedNode(graph_iri_of(f"dataset/{source.id}"))
    lit = ox.Literal
    yield ox.Triple(ds, ox.NamedNode(RDF + "type"), ox.NamedNode(DCAT + "Dataset"))
    yield ox.Triple(ds, ox.NamedNode(RDFS + "label"), lit(meta["title"], language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "title"), lit(meta["title"], language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "description"), lit(f"Publisher(s): {meta['publisher']}. Licence: {meta['licence']}", language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "issued"), lit(str(meta["retrieved"]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    if meta.get("licence_url"):
        yield ox.Triple(ds, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(meta["licence_url"]))
    if meta.get("url"):
        yield ox.Triple(ds, ox.NamedNode(DCAT + "landingPage"), ox.NamedNode(meta["url"]))
    for name in getattr(source, "graph_names", None) or [source.graph_name(f) for f in source.files]:
        yield ox.Triple(ds, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(graph_iri_of(name)))
