"""Untrusted RDF (uploads to the service, a curator's contribution): cheap checks before any parser runs.

The parsers themselves are not safe against hostile input: deep nesting overflows their stack (a
segfault takes the whole process down), RDF/XML expands DTD entities without bound. These checks
answer the common attacks with a precise message in milliseconds; parsing then happens in a limited
child process (kg.validation.untrusted_worker), the backstop for whatever gets past them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

import pyoxigraph as ox

from kg.core import Settings
from kg.core import CdkgError


class UploadRefused(CdkgError):
    """Untrusted RDF refused before or while parsing; `status` is the HTTP answer, the message names the limit."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int
    timeout: float
    memory_mb: int

    @classmethod
    def from_settings(cls, settings: Settings, max_bytes: int | None = None) -> "Limits":
        return cls(max_bytes or settings.validate_max_bytes, settings.validate_max_depth,
                   settings.validate_timeout, settings.validate_memory_mb)


# -- nesting depth, ignoring strings, IRIs and comments -------------------------------------------

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)  # JSON strings hold no raw newline
_TURTLE_SKIP = re.compile(
    rb'<[^<>"{}|^`\\\s]*>'                       # IRI (may hold '#')
    rb'|"""(?:[^"\\]|\\.|"(?!""))*"""'           # long strings (may hold newlines)
    rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\n]|\\.)*"'
    rb"|'(?:[^'\\\n]|\\.)*'"
    rb'|#[^\n]*', re.S)
_STRUCTURE = bytes(range(256)).translate(None, b"[]{}()\n")  # every byte but brackets and newlines
_DELTA = [0] * 256
for _open, _close in (b"[]", b"{}", b"()"):
    _DELTA[_open], _DELTA[_close] = 1, -1


def _keep_newlines(match: re.Match) -> bytes:
    return b"\n" * match.group().count(b"\n")


def nesting_line(body: bytes, fmt: ox.RdfFormat, max_depth: int) -> int | None:
    """The line where brackets first nest deeper than max_depth (JSON-LD, Turtle, TriG), else None."""
    if fmt == ox.RdfFormat.JSON_LD:
        skeleton = _JSON_STRING.sub(b"", body)
    elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3):
        # Only long strings can hold newlines; without them a plain substitution keeps line numbers (5x faster).
        long_strings = b'"""' in body or b"'''" in body
        skeleton = _TURTLE_SKIP.sub(_keep_newlines if long_strings else b"", body)
    else:
        return None
    brackets = skeleton.translate(None, _STRUCTURE)
    if not brackets or max(accumulate(map(_DELTA.__getitem__, brackets))) <= max_depth:
        return None
    for i, depth in enumerate(accumulate(map(_DELTA.__getitem__, brackets))):
        if depth > max_depth:
            return brackets.count(b"\n", 0, i) + 1
    return None  # unreachable: max() saw it


# -- RDF/XML: no DTD ----------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def _as_utf8(body: bytes) -> bytes:
    """UTF-16 XML (byte order mark) as UTF-8, so the DOCTYPE check cannot be sidestepped by encoding."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body.decode("utf-16", errors="replace").encode()
    return body


def doctype_line(body: bytes) -> int | None:
    """The line of a DOCTYPE or ENTITY declaration in an XML body, else None."""
    text = _as_utf8(body)
    match = _DOCTYPE.search(text)
    return None if match is None else text.count(b"\n", 0, match.start()) + 1


# -- all checks ----------------------------------------------------------------------------------

def precheck(body: bytes, fmt: ox.RdfFormat, limits: Limits, name: str = "the body", size_setting: str = "CDKG_VALIDATE_MAX_BYTES") -> None:
    """Refuse (UploadRefused) a body over the size limit, nested too deep, or RDF/XML with a DTD."""
    if len(body) > limits.max_bytes:
        raise UploadRefused(f"{name} is {len(body)} bytes, over the limit of {limits.max_bytes} bytes ({size_setting})", 413)
    if fmt == ox.RdfFormat.RDF_XML and (line := doctype_line(body)) is not None:
        raise UploadRefused(f"{name}: RDF/XML with a DOCTYPE or entity declarations is refused (line {line}): "
                            "entities can expand a small upload without bound; write the values out and drop the DOCTYPE")
    if (line := nesting_line(body, fmt, limits.max_depth)) is not None:
        raise UploadRefused(f"{name}: nesting deeper than {limits.max_depth} levels at line {line} "
                            "(CDKG_VALIDATE_MAX_DEPTH)")


__all__ = ["Limits", "UploadRefused", "doctype_line", "nesting_line", "precheck"]
