"""The web service: a FastAPI app (one router per resource, api.routers) over the built store, with
entity pages, search, writes behind the SHACL gate, and the SPARQL protocol."""
from importlib import import_module

# Exported name -> (module, its name there), imported on first use. Written out rather than with
# kg.core.lazy_face: query worker processes import this package, and nothing of kg.
_HOME = {"create_app": ("app", "create_app"), "UI_PACKAGE": ("ui_assets", "PACKAGE"), "UI_VERSION": ("ui_assets", "VERSION"),
         "ensure_ui_assets": ("ui_assets", "ensure"), "install_ui_assets": ("ui_assets", "install"),
         "limited_protocol": ("http_limits", "limited_protocol")}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _HOME[name]
    return getattr(import_module(f"{__name__}.{module}"), attr)
