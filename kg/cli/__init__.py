"""`cdkg`, the command line: thin wrappers over the library, one module per command group (kg.cli.main joins them)."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {"main": ["app"]})
