"""Derived data kept between runs as a pickle file (gazetteer indexes, name lists): read it if it is
there and whole, else compute it and write it atomically. A cache that cannot be written (a read-only
folder) only costs time; one that cannot be read (missing, cut short, an older shape) is computed again."""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


def read_cache(path: Path | None) -> Any | None:
    """What was written at `path`, or None when there is nothing readable there."""
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except _UNREADABLE:
        return None


def write_cache(path: Path | None, value: Any) -> None:
    """Write `value` at `path` (a temporary file renamed into place: a reader never sees half of it)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass


def cached(path: Path | None, compute: Callable[[], Any], decode: Callable[[Any], T] = lambda raw: raw) -> T:
    """decode(the cached value), or decode(compute()) written to the cache when there is none or it no
    longer decodes (an older shape)."""
    raw = read_cache(path)
    if raw is not None:
        try:
            return decode(raw)
        except (TypeError, ValueError, KeyError):
            pass
    raw = compute()
    write_cache(path, raw)
    return decode(raw)
