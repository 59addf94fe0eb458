"""City Diplomacy Knowledge Graph: load, reason, query, analyse and draw the graph.

The public API, taken from the packages' faces on first use: kg.core, kg.sources, kg.dataset,
kg.validation, kg.release, kg.network and kg.cli (docs/architecture.md).
"""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "core": ["BuildMissingError", "CdkgError", "DataSyntaxError", "MappingError", "QueryError", "QueryResult",
             "Settings", "SourceMetadataError", "UnknownQueryError", "open_store", "resolve_query", "run_query"],
    "dataset": ["BuildReport", "build", "in_memory", "is_stale", "stats"],
    "sources": ["cross_source_report"],
    "release": ["PublishBlocked", "PublishResult", "publish_release=publish"],
    "validation": ["ValidationReport", "ValidationResult", "validate_build", "validate_files", "validate_store"],
})
