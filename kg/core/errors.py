"""Error hierarchy: every message says what went wrong, where, and how to fix it."""
from __future__ import annotations


class CdkgError(Exception):
    """Base of all errors raised by the library."""


class DataSyntaxError(CdkgError):
    """A data or ontology file does not parse."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str):
        self.path, self.line, self.column, self.detail = path, line, column, detail
        where = f"{path}:{line}" + (f":{column}" if column else "") if line else path
        super().__init__(f"{where}: syntax error: {detail}. Fix the file and run `cdkg build` again.")


class SourceMetadataError(CdkgError):
    """A data/<source>/source.toml is missing or incomplete."""


class QueryError(CdkgError):
    """A SPARQL query is malformed or cannot be run."""


class UnknownQueryError(QueryError):
    """A named query or query file does not exist."""


class BuildMissingError(CdkgError):
    """The dataset has not been built yet."""

    def __init__(self, path: str):
        super().__init__(f"no built dataset at {path}: run `cdkg build` first (or `cdkg serve`, which builds when needed).")


class MappingError(CdkgError):
    """A data/<source>/*.mapping.toml is malformed or uses a term the ontology does not declare."""


class NetworkInputError(CdkgError):
    """A network projection or analysis was given a value it cannot use: a malformed date, or a
    relation, kind, status, country, network or city the graph does not hold."""


class UnknownNodeError(NetworkInputError):
    """A city (or country, network) named for an analysis is not in the projected network."""
