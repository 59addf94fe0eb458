"""Store generations on disk: a write is made on a staged copy that then replaces the served folder.

A write copies the served store (a RocksDB checkpoint in <build>/staging/stage-*: hard links,
milliseconds), changes the copy, and `publish` renames it into <build>/store (the previous folder
moves to <build>/store.old-*). Read-only handles hold every file of their store open (Oxigraph opens
RocksDB with all table files open), so a query running on the previous generation finishes on it
even after its folder is renamed; each handle is reopened on the new folder before its next query.
`clean_stale` (at start-up) removes what a killed write left: stage folders, and old generations;
if a write died between the two renames, the previous store is put back.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings

STAGE_PREFIX = "stage-"
OLD_PREFIX = "store.old-"


def staging_dir(settings: Settings) -> Path:
    return settings.build_dir / "staging"


def new_stage(live: ox.Store, settings: Settings) -> Path:
    """A checkpoint of the served store in a fresh stage folder."""
    staging_dir(settings).mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=staging_dir(settings)))
    target.rmdir()  # backup() wants to create the folder itself
    live.backup(str(target))
    return target


def publish(stage: Path, settings: Settings) -> Path:
    """Make the stage the served store; returns where the previous generation went."""
    old = settings.build_dir / f"{OLD_PREFIX}{time.time_ns()}"
    settings.store_dir.rename(old)
    stage.rename(settings.store_dir)
    return old


def clean_stale(settings: Settings) -> list[Path]:
    """Remove stage folders and old generations a killed write left behind; returns what went."""
    olds = sorted(settings.build_dir.glob(f"{OLD_PREFIX}*"))
    if olds and not settings.store_dir.exists():  # killed between the renames of publish()
        olds.pop().rename(settings.store_dir)
    gone = [*staging_dir(settings).glob(f"{STAGE_PREFIX}*"), *olds]
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
    return gone
