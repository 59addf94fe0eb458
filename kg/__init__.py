"""City Diplomacy Knowledge Graph: load, reason, query, analyse and draw the graph.

The public API is re-exported here; modules are one concern each.
"""
from kg.build import BuildReport, build, in_memory, is_stale
from kg.config import Settings
from kg.errors import BuildMissingError, CdkgError, DataSyntaxError, QueryError, SourceMetadataError, UnknownQueryError
from kg.errors import MappingError
from kg.crosscheck import cross_source_report
from kg.query import QueryResult, open_store, run_query, resolve_query
from kg.stats import stats
from kg.publish import PublishBlocked, PublishResult, publish as publish_release
from kg.shacl_results import ValidationReport, ValidationResult
from kg.validate import validate_build, validate_files, validate_store

__all__ = [
    "BuildMissingError", "BuildReport", "CdkgError", "DataSyntaxError", "QueryError", "QueryResult",
    "Settings", "SourceMetadataError", "UnknownQueryError", "build", "in_memory", "is_stale",
    "open_store", "resolve_query", "run_query", "stats",
    "MappingError", "cross_source_report",
    "PublishBlocked", "PublishResult", "ValidationReport", "ValidationResult", "publish_release", "validate_build", "validate_files", "validate_store",
]
