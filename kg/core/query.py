"""Run SPARQL on the built store (Oxigraph) and shape the results for people and programs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.config import Settings
from kg.core.errors import BuildMissingError, QueryError, UnknownQueryError
from kg.core.namespaces import CANONICAL_ID_BASE, prefixes
from kg.core.paths import queries_dir
from kg.core.merge import has_merge

_SPARQL_START = re.compile(r"^\s*(#[^\n]*\n\s*)*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""


def parse_header(text: str) -> dict[str, str]:
    """`# key: value` lines at the top of a .rq file."""
    meta: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"^#\s*(\w[\w-]*):\s*(.*)$", line)
        if not line.startswith("#"):
            break
        if m:
            meta[m.group(1).lower()] = m.group(2).strip()
    return meta


def query_library(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or queries_dir()
    out = {}
    for p in sorted(folder.glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        h = parse_header(text)
        out[p.stem] = NamedQuery(p.stem, p, text, h.get("title", p.stem), h.get("description", ""))
    return out


def resolve_query(arg: str) -> tuple[str, str]:
    """A query given as SPARQL text, a path to a .rq file, or a library name -> (text, label)."""
    if _SPARQL_START.match(arg) or "{" in arg:
        return arg, "query"
    path = Path(arg)
    if path.suffix == ".rq" or path.is_file():
        if path.is_file():
            return path.read_text(encoding="utf-8"), path.stem
        lib = query_library()
        if path.stem in lib and not path.is_absolute():
            return lib[path.stem].text, path.stem
        raise UnknownQueryError(f"query file not found: {arg}")
    lib = query_library()
    if arg in lib:
        return lib[arg].text, arg
    raise UnknownQueryError(f"'{arg}' is neither SPARQL, a .rq file, nor a named query. Named queries: {', '.join(lib) or 'none'}.")


@dataclass
class QueryResult:
    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[ox.Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def values(self) -> list[dict[str, str | None]]:
        """Rows as plain dicts of lexical values (for tests and notebooks)."""
        return [{v: (t.value if t is not None else None) for v, t in zip(self.variables, r)} for r in self.rows]



def serialize_results(res, fmt: str) -> bytes:
    """Standard serialisation of raw pyoxigraph results (SPARQL JSON/XML/CSV/TSV or an RDF syntax)."""
    if isinstance(res, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"format '{fmt}' is for SELECT/ASK; CONSTRUCT/DESCRIBE give {', '.join(GRAPH_FORMATS)}")
        return res.serialize(format=GRAPH_FORMATS[fmt])
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"format '{fmt}' is for graphs; SELECT/ASK give {', '.join(RESULT_FORMATS)}")
    return res.serialize(format=RESULT_FORMATS[fmt])


def open_store(settings: Settings | None = None) -> ox.Store:
    settings = settings or Settings()
    if not settings.store_dir.is_dir():
        raise BuildMissingError(str(settings.store_dir))
    return ox.Store.read_only(str(settings.store_dir))


def rebase_query_text(sparql: str, base_iri: str) -> str:
    """Move data IRIs written under the canonical base (as library .rq files declare them, so they also
    run in other SPARQL tools) to a deployer's base, the same way the loader moves the data."""
    new_id = f"{base_iri}id/"
    return sparql if new_id == CANONICAL_ID_BASE else sparql.replace(CANONICAL_ID_BASE, new_id)


def execute(store: ox.Store, sparql: str, base_iri: str = "https://w3id.org/cdkg/", **kwargs):
    """Raw pyoxigraph results with the project prefixes predeclared. Without a dataset the default graph
    is the store's own: the build writes the merge of every named graph there (kg.core.merge), a set. A
    store made by hand (named graphs only, empty default graph) is queried over the union instead."""
    # a remote store (api.remote_store) sends the project graphs as the dataset of each query: no check needed
    if not kwargs.get("default_graph") and not getattr(store, "default_graph_is_the_merge", False) and not has_merge(store):
        kwargs.setdefault("use_default_graph_as_union", True)
    sparql = rebase_query_text(sparql, base_iri)
    try:
        return store.query(sparql, prefixes=prefixes(base_iri), **kwargs)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, TypeError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def run_query(store: ox.Store, sparql: str, base_iri: str = "https://w3id.org/cdkg/", limit: int | None = None) -> QueryResult:
    res = execute(store, sparql, base_iri)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if not isinstance(res, ox.QuerySolutions):  # QueryTriples, or a remote store's list of triples (api.remote_store)
        return QueryResult("graph", triples=list(res))
    variables = [v.value for v in res.variables]
    rows = []
    for i, sol in enumerate(res):
        if limit is not None and i >= limit:
            break
        rows.append([sol[v] for v in variables])
    return QueryResult("select", variables=variables, rows=rows)
