"""Where a node is defined in a Turtle file: the line where it starts a statement as subject.

Why not the parser: Oxigraph and rdflib do not report positions of triples. Curated Turtle starts
each subject at column 0 (`agr:x a cd:Agreement ;` or `mem:x` alone on its line), so a line scan
with the file's own @prefix declarations finds it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_SUBJECT = re.compile(r"^(?:<([^>\s]*)>|([A-Za-z][\w.-]*)?:((?:[\w.%-]|\\.)*[\w%-]|))(?=[\s;,]|$)")


@lru_cache(maxsize=256)
def _index(path: str, mtime_ns: int) -> dict[str, int]:
    prefixes: dict[str, str] = {}
    found: dict[str, int] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = _PREFIX.match(line)
            if m:
                prefixes[m.group(1) or ""] = m.group(2)
                continue
            m = _SUBJECT.match(line)
            if not m:
                continue
            if m.group(1) is not None:
                iri = m.group(1)
            elif (m.group(2) or "") in prefixes:
                iri = prefixes[m.group(2) or ""] + m.group(3).replace("\\", "")
            else:
                continue
            found.setdefault(iri, n)
    return found


def definition_line(path: Path, iri: str) -> int | None:
    """First line of `path` where `iri` starts a statement, or None (not Turtle, or not found)."""
    if path.suffix.lower() not in (".ttl", ".trig") or not path.is_file():
        return None
    return _index(str(path), path.stat().st_mtime_ns).get(iri)
