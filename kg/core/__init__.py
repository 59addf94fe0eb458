"""The core every stage uses: settings, resource paths, namespaces, errors, term conversion,
loading files into the Oxigraph store, running SPARQL on it, files taken from npm packages, and the
lifeline that makes a worker process die with its parent."""
from kg.core.lazy import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "lazy": ["lazy_face"],
    "config": ["CANONICAL_BASE", "Settings"],
    "paths": ["data_dir", "ontology_dir", "queries_dir", "shapes_dir", "shared_dir"],
    "namespaces": ["CD", "DCAT", "DCTERMS", "FOAF", "GEO", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "VOID", "XSD",
                   "prefixes"],
    "errors": ["BuildMissingError", "CdkgError", "DataSyntaxError", "MappingError", "NetworkInputError", "QueryError",
               "SourceMetadataError", "UnknownNodeError", "UnknownQueryError"],
    "convert": ["ox_to_rdflib_graph", "rdflib_to_ox_triple", "to_ox", "to_rdflib"],
    "load": ["INFERRED_GRAPH", "META_GRAPH", "ONTOLOGY_GRAPH", "add_triples", "ontology_files", "parse_file", "rdf_format",
             "rebase_term"],
    "merge": ["has_merge", "held_by_a_named_graph", "materialise_merge", "merged_triples", "named_quads", "quad_count",
              "sync_merge", "triple_count"],
    "review": ["held_back", "published"],
    "npm_pack": ["NpmPackError", "install_from_npm"],
    "lifeline": ["exit_with_parent"],
    "cache": ["cached", "read_cache", "write_cache"],
    "query": ["QueryResult", "execute", "open_store", "parse_header", "query_library", "resolve_query", "run_query",
              "serialize_results"],
})
