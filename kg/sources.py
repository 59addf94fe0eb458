"""Source folders under data/: each has a source.toml (metadata, quality bounds) and Turtle files.

Each Turtle file becomes the named graph <{base}graph/{source id}/{file stem}>.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import SourceMetadataError

REQUIRED_KEYS = ("id", "title", "publisher", "licence", "retrieved")


@dataclass(frozen=True)
class Source:
    folder: Path
    meta: dict
    files: tuple[Path, ...] = field(default_factory=tuple)

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
    return Source(folder=folder, meta=meta, files=files)


def discover_sources(data_root: Path) -> list[Source]:
    if not data_root.is_dir():
        raise SourceMetadataError(f"data folder {data_root} does not exist (set CDKG_DATA_DIR).")
    return [read_source(d) for d in sorted(data_root.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))]
