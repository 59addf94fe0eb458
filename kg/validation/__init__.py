"""Validation: the SHACL gate (shapes compiled to SPARQL, or pyshacl), its results and reports,
contributions checked in context, and the quality checks written as SPARQL."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "validate": ["check_before_commit", "own_graphs", "parse_body", "read_contribution", "validate_build", "validate_contribution", "validate_files", "validate_store"],
    "shacl_results": ["ValidationReport", "ValidationResult"],
    "untrusted": ["Limits", "UploadRefused", "precheck"],
    "untrusted_jobs": ["parse_to_ntriples", "validate_body"],
    "untrusted_worker": ["Outcome", "Worker"],
    "shacl_report": ["render", "summary", "to_dict", "to_json", "to_text", "to_turtle"],
})
