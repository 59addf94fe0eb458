"""Package faces that import on first use: a package's __init__ names what it exports and where
each name is defined, and the module is imported only when a name is asked for.

Why: importing a package must cost (almost) nothing, so a query worker process or `cdkg --help`
loads only the modules it uses. A name exported by a face must not also be the name of a module
of that package (importing the module would put the module in the name's place).
"""
from __future__ import annotations

from importlib import import_module


def lazy_face(package: str, exports: dict[str, list[str]]):
    """(__getattr__, __all__) for `package`, whose modules (or subpackages) define the names listed;
    "alias=name" exports a module's `name` as `alias`."""
    home = {entry.split("=")[0]: (module, entry.split("=")[-1]) for module, names in exports.items() for entry in names}

    def __getattr__(name: str):
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = home[name]
        return getattr(import_module(f"{package}.{module}"), attr)

    return __getattr__, sorted(home)
