"""Compare a SELECT answer of the embedded store with a SPARQL endpoint's JSON answer, modulo the
freedoms engines have (documented in docs/scale-out.md, "The query library on Virtuoso"):
- row order where the query does not fix it (rows are compared as sorted multisets);
- the order of values inside GROUP_CONCAT (split on the query's separator and sorted);
- GROUP_CONCAT over a group with no bound value: "" (Virtuoso) or unbound (Oxigraph);
- blank node labels;
- Virtuoso has no xsd:boolean in answers: a boolean comes back as 1 or 0.
"""
from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox

from kg.core.namespaces import prefixes

_CONCAT = re.compile(r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?separator\s*=\s*\"([^\"]*)\"\s*\)\s*AS\s*\?(\w+)", re.I | re.S)


def concat_separators(query: str) -> dict[str, str]:
    """?var -> separator of each GROUP_CONCAT(...; separator="x") AS ?var in the query."""
    return {var: sep for sep, var in _CONCAT.findall(query)}


def _value(v, sep: str | None):
    if v is None or v == "":
        return None
    if v == "true":
        return "1"
    if v == "false":
        return "0"
    if sep is not None:
        return sep.join(sorted(v.split(sep))) if sep else "".join(sorted(v))
    return v


def local_rows(result, query: str) -> list[str]:
    seps = concat_separators(query)
    out = []
    for row in result.rows:
        vals = ["_" if isinstance(t, ox.BlankNode) else (None if t is None else t.value) for t in row]
        out.append(json.dumps([_value(v, seps.get(n)) for n, v in zip(result.variables, vals)], ensure_ascii=False))
    return sorted(out)


def remote_rows(answer: dict, variables: list[str], query: str) -> list[str]:
    seps = concat_separators(query)
    out = []
    for b in answer["results"]["bindings"]:
        vals = [("_" if b[v]["type"] == "bnode" else b[v]["value"]) if v in b else None for v in variables]
        out.append(json.dumps([_value(v, seps.get(n)) for n, v in zip(variables, vals)], ensure_ascii=False))
    return sorted(out)


def ask_endpoint(url: str, query: str, graphs: list[str], base_iri: str = "https://w3id.org/cdkg/",
                 timeout: float = 120) -> httpx.Response:
    """POST the query with the project's prefixes, the dataset restricted to `graphs` (default graph =
    their merge, named graphs = them), so a store's own system graphs do not answer."""
    declared = {m.lower() for m in re.findall(r"PREFIX\s+(\w*):", query, re.I)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(base_iri).items() if p.lower() not in declared)
    form = [("query", head + query)] + [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
    return httpx.post(url, content=str(httpx.QueryParams(form)).encode(), timeout=timeout,
                      headers={"Accept": "application/sparql-results+json",
                               "Content-Type": "application/x-www-form-urlencoded"})
