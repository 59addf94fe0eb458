"""Answers to repeated SPARQL queries, kept in memory until the data changes.

Researchers re-run the same query (a notebook cell, a YASGUI tab, a dashboard); the data only
changes through a write, which bumps the service's generation, so an answer is reusable until
then. Keyed by everything that shapes the answer (text, dataset, formats, row cap, generation);
bounded in bytes (least recently used out first); queries whose answer may differ from one run to
the next (NOW, RAND, UUID, STRUUID, BNODE) are never kept.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict

from api.sparql.query_job import JobOutcome, QueryJob

_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.I)


def cache_key(job: QueryJob, generation: int) -> tuple | None:
    if _VOLATILE.search(job.query):
        return None
    return (generation, job.query, job.base_iri, tuple(sorted(job.prefixes.items())),
            None if job.default_graphs is None else tuple(job.default_graphs),
            None if job.named_graphs is None else tuple(job.named_graphs),
            job.result_format, job.graph_format, job.max_rows)


class ResultCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8  # one huge answer must not evict everything else
        self._entries: OrderedDict[tuple, JobOutcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple | None) -> JobOutcome | None:
        if key is None or not self.max_bytes:
            return None
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, key: tuple | None, outcome: JobOutcome) -> None:
        size = len(outcome.body) + len(key[1]) if key else 0
        if key is None or outcome.status != "ok" or not size or size > self.max_entry:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._entries.popitem(last=False)
                self._bytes -= len(old.body) + len(old_key[1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses}
