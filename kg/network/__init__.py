"""Network: the graph projected to a networkx multigraph, its analysis (and written results), the
views small enough to draw, and the offline pages that draw them."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "projection": ["city_graph", "co_membership", "project"],
    "whole": ["centrality", "draw"],
    "explore": ["EdgeFilter", "View", "choose_view", "country_overview", "resolve_country", "resolve_network",
                "resolve_node"],
    "viz": ["render", "write"],
    "timeline": ["figures_of", "reported_figures"],
    "basemap": ["BasemapError", "ensure_basemap=ensure", "install_basemap=install", "basemap_outlines=outlines",
                "BASEMAP_PACKAGE=PACKAGE", "BASEMAP_VERSION=VERSION"],
})
# The CLI takes the modules analysis and analysis_output whole (`from kg.network import analysis`).
