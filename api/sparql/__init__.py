"""The SPARQL 1.1 Protocol machinery beside the routers: reading requests, content negotiation, the
pool of killable query worker processes and its jobs, result serialisation and cache, SPARQL text."""
from importlib import import_module

# Exported name -> its module, imported on first use: a query worker process imports this package
# for api.sparql.query_worker and must not pay for FastAPI (written out, not kg.core.lazy_face, for
# the same reason: the worker imports nothing of kg).
_HOME = {name: module for module, names in {
    "negotiation": ["BadAccept", "GRAPHS", "PAGES", "RESULTS", "Table", "from_format_param", "negotiate",
                    "negotiate_or_reject"],
    "protocol": ["FORM", "ProtocolRequest", "SPARQL_UPDATE", "content_type", "read_body", "read_protocol_request"],
    "query_job": ["JobOutcome", "QueryJob", "collect", "run_job"],
    "query_pool": ["Answer", "PoolBusy", "QueryMemory", "QueryPool", "QueryTimeout", "StreamCut", "WorkerLost"],
    "result_cache": ["ResultCache", "cache_key"],
    "results": ["graph_bytes", "quads_bytes", "select_chunks", "write_graph"],
    "sparql_text": ["UpdateDatasetConflict", "add_using_clauses", "has_dataset_clause", "construct_bound", "write_targets", "nesting_refusal", "outbound_refusal",
                    "query_shape"],
}.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
