"""Build and reasoning: the dataset built from the ontology and every source into the store, OWL RL
inferences (and their semi-naive upkeep after a write), counts and dumps."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "builder": ["BuildReport", "build", "in_memory", "is_stale"],
    "reason": ["extend_inferences", "read_schema", "reason_with_rules"],
    "seminaive": ["RuleIndex", "derive"],
    "counts": ["stats"],
    "dump": ["FORMATS", "export"],
})
