"""Serialise (possibly truncated) SPARQL results: SPARQL JSON / XML / CSV / TSV and RDF syntaxes.

pyoxigraph serialises a whole result iterator; the service stops at `max_results` rows, so SELECT rows
are written here, a batch at a time (the worker streams the pieces), following the W3C result formats.
"""
from __future__ import annotations

import csv
import io
import json
from itertools import islice
from typing import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                  "rdfxml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG}
_WITH_PREFIXES = {"turtle", "trig", "rdfxml"}


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(_xml_safe(t.value))}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(_xml_safe(t.value))}</literal>"
        return f"<literal>{escape(_xml_safe(t.value))}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _xml_safe(s: str) -> str:
    """XML 1.0 cannot carry most control characters: show them as U+XXXX rather than break the document."""
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else f"U+{ord(c):04X}" for c in s)


def _csv_value(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def _tsv_value(t) -> str:
    return "" if t is None else str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


BATCH = 1000  # rows serialised per step: big enough to amortise, small enough to stream


def _batches(rows: Iterable[list]) -> Iterator[list[list]]:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


def select_chunks(variables: list[str], rows: Iterable[list], fmt: str) -> Iterator[bytes]:
    """A SELECT answer as pieces of bytes, a batch of rows at a time (the caller streams them)."""
    if fmt == "json":
        head = json.dumps({"head": {"vars": variables}, "results": {"bindings": []}}, ensure_ascii=False)
        yield head[:-3].encode()  # up to the opening [ of the bindings
        sep = ""
        for batch in _batches(rows):
            bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in batch]
            yield (sep + json.dumps(bindings, ensure_ascii=False)[1:-1]).encode()
            sep = ", "
        yield b"]}}"
    elif fmt == "xml":
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               f"<head>{head}</head><results>").encode()
        for batch in _batches(rows):
            yield "".join("<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                                               for v, t in zip(variables, row) if t is not None) + "</result>"
                          for row in batch).encode()
        yield b"</results></sparql>\n"
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for batch in _batches(rows):
            w.writerows([_csv_value(t) for t in row] for row in batch)
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue().encode()
    elif fmt == "tsv":
        yield ("\t".join(f"?{v}" for v in variables) + "\n").encode()
        for batch in _batches(rows):
            yield "".join("\t".join(_tsv_value(t) for t in row) + "\n" for row in batch).encode()
    else:
        raise ValueError(f"unknown results format {fmt}")


def select_bytes(variables: list[str], rows: list[list], fmt: str) -> bytes:
    return b"".join(select_chunks(variables, rows, fmt))


def ask_bytes(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    # CSV/TSV have no boolean form in the standard; write the convention other stores use.
    return f"{'_askResult' if fmt == 'csv' else '?_askResult'}\n{'true' if value else 'false'}\n".encode()


def graph_bytes(triples: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    return write_graph(triples, fmt, None, prefixes)


def write_graph(triples: Iterable, fmt: str, output, prefixes: dict[str, str] | None = None) -> bytes | None:
    """Triples in an RDF syntax, written by pyoxigraph to `output` (anything with write(bytes)) as it goes,
    or returned as bytes when output is None."""
    kwargs = {"prefixes": prefixes} if prefixes and fmt in _WITH_PREFIXES else {}
    return ox.serialize(triples, output, format=_GRAPH_FORMATS[fmt], **kwargs)


def quads_bytes(quads: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Quads keep their graphs in TriG / N-Quads; other syntaxes get the triples."""
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, **({"prefixes": prefixes} if prefixes else {}))
    return graph_bytes(list(dict.fromkeys(q.triple for q in quads)), fmt, prefixes)
