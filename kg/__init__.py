"""City Diplomacy Knowledge Graph: load, reason, query, analyse and draw the graph.

The public API is re-exported here; modules are one concern each.
"""
from kg.build import BuildReport, build, in_memory, is_stale
from kg.config import Settings
from kg.errors import BuildMissingError, CdkgError, DataSyntaxError, QueryError, SourceMetadataError, UnknownQueryError
from kg.query import QueryResult, open_store, run_query, resolve_query
from kg.stats import stats

__all__ = [
    "BuildMissingError", "BuildReport", "CdkgError", "DataSyntaxError", "QueryError", "QueryResult",
    "Settings", "SourceMetadataError", "UnknownQueryError", "build", "in_memory", "is_stale",
    "open_store", "resolve_query", "run_query", "stats",
]
