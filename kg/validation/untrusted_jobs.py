"""What a worker process (kg.validation.untrusted_worker) does with an untrusted body: plain functions whose
answers are plain values (they cross a pipe)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.core import CdkgError, DataSyntaxError


def _syntax(exc: DataSyntaxError) -> tuple[str, dict]:
    return "syntax", {"error": "syntax error", "detail": exc.detail, "line": exc.line, "column": exc.column}


def parse_to_ntriples(body: bytes, media_type: str, base_iri: str | None) -> tuple[str, object]:
    """("ok", N-Triples bytes) - flat, so the server re-reads them safely - or ("syntax", details)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    try:  # streamed: the triples are never all held as Python objects
        return "ok", ox.serialize((q.triple for q in ox.parse(body, format=fmt, base_iri=base_iri)),
                                  format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        return _syntax(DataSyntaxError("body", exc.lineno, exc.offset, exc.msg or str(exc)))
    except (ValueError, UnicodeDecodeError) as exc:
        return _syntax(DataSyntaxError("body", None, None, str(exc)))


def _open_context(path: str) -> ox.Store:
    """A checkpoint folder of the served store, or (store in memory) an N-Quads dump of it."""
    if Path(path).is_dir():
        return ox.Store(path)
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def validate_body(body: bytes, media_type: str, settings: Settings, context: str, turtle: bool) -> tuple[str, object]:
    """("json", report dict) or ("turtle", report text), ("syntax", details) or ("error", message)."""
    from kg.validation.shacl_report import to_dict, to_turtle
    from kg.validation.validate import parse_body, validate_contribution

    try:
        contribution = parse_body(body, ox.RdfFormat.from_media_type(media_type), settings)
    except DataSyntaxError as exc:
        return _syntax(exc)
    try:
        report = validate_contribution(contribution, _open_context(context), settings, in_place=True)
    except CdkgError as exc:
        return "error", str(exc)
    return ("turtle", to_turtle(report, settings.base_iri)) if turtle else ("json", to_dict(report))
