"""Writes when the service reads a remote store: the same gate, then the Graph Store Protocol.

The write is made on an in-memory copy of the remote's project graphs (downloaded for each write:
its cost grows with the dataset, see docs/scale-out.md), with the merge materialised as the build
does, so api/writes.py runs unchanged: diff, SHACL gate, inferences. Only if that passes, each
named graph whose triples changed (the inferred graph included) is replaced on the remote through
the Graph Store Protocol (kg.release's batched PUT/POST, DELETE for a graph that went); a push
that stops part-way says which graphs were written and which one is partial.
"""
from __future__ import annotations

from typing import Any, Callable

import pyoxigraph as ox

from api.remote_store import RemoteStore, RemoteStoreError
from kg.core import materialise_merge
from kg.release import GraphStore, RemoteAuth, RemoteAuthError, RemoteError, RemotePushError


class RemoteReadOnly(RemoteStoreError):
    status = 503


class RemoteWriteIncomplete(RemoteStoreError):
    """The gate passed but the remote took only part of the write."""


def graph_store(settings) -> GraphStore | None:
    if not settings.store_update_url:
        return None
    return GraphStore(settings.store_update_url, RemoteAuth.from_settings(settings), settings.remote_timeout, settings.remote_retries,
                      settings.remote_batch_triples)


def _lines(store: ox.Store, g: ox.NamedNode) -> set[bytes]:
    return set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines()) if store.contains_named_graph(g) else set()


def changed_graphs(live: ox.Store, staged: ox.Store) -> list[ox.NamedNode]:
    graphs = sorted({*live.named_graphs(), *staged.named_graphs()}, key=str)
    return [g for g in graphs if _lines(live, g) != _lines(staged, g)]


def merged_snapshot(remote: RemoteStore) -> ox.Store:
    """The remote's project graphs in an in-memory store, with the merge in its default graph as the
    build makes it: what api/writes.py and validation expect of a store."""
    store = remote.snapshot()
    materialise_merge(store)
    return store


def write_remote(remote: RemoteStore, target: GraphStore | None, change: Callable[[ox.Store, ox.Store], Any]) -> Any:
    """change(live copy, staged copy) as in ServiceState.write; then the changed graphs go to the remote."""
    if target is None:
        raise RemoteReadOnly("this service reads a remote store and CDKG_STORE_UPDATE_URL (its Graph Store Protocol "
                             "endpoint) is not set: writes cannot be made through the service")
    live = merged_snapshot(remote)
    staged = ox.Store()
    staged.bulk_extend(live)
    result = change(live, staged)  # raises (WriteError, WriteRefused...) before anything is sent
    written: list[str] = []
    current = None
    try:
        changed = changed_graphs(live, staged)
        if changed:
            target.preauthenticate(changed[0].value)
        for g in changed:
            current = g.value
            if staged.contains_named_graph(g) and next(iter(staged.quads_for_pattern(None, None, None, g)), None):
                target.replace(g.value, (q.triple for q in staged.quads_for_pattern(None, None, None, g)))
            else:
                target.delete(g.value)
            written.append(current)
            current = None
    except (RemoteError, RemoteAuthError) as exc:
        done = ", ".join(written) or "none"
        raise RemoteWriteIncomplete(f"the write passed the gate but the remote store did not take all of it: {exc}\n"
                                    f"graphs written: {done}; left partly written or unchanged: {current}. "
                                    "Repeat the write, or restore those graphs.") from None
    finally:
        remote.forget_graphs()
    return result
