"""Sources and import: source folders under data/, mappings, the importer, the gazetteer, place
reconciliation (and its measured sample), vendoring, and the cross-source report."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "folders": ["Source", "discover_sources", "metadata_triples"],
    "ingestion": ["ingest", "load_mappings"],
    "gazetteer": ["slug"],
    "importer": ["write_issues", "write_review"],
    "crosscheck": ["cross_source_report", "to_markdown", "write_report"],
})
