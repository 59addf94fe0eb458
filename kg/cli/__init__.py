"""`cdkg`, the command line: thin wrappers over the library (`cdkg analyze` in a module of its own)."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {"main": ["app"]})
