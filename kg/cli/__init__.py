"""`cdkg`, the command line: thin wrappers over the library, one module per command group."""
from kg.core.lazy import lazy_face

__getattr__, __all__ = lazy_face(__name__, {"main": ["app"]})
