"""A named graph's signature: its triple count and an order-free hash of its triples, computed in one
pass over the store (memory bounded by the triples that touch blank nodes). Recorded in release.json
and per remote store, so a publish knows what changed without downloading anything.

Blank nodes get new labels in every build and every store, so they are named by a hash of their
neighbourhood (Weisfeiler-Lehman style refinement): equal for isomorphic graphs, different for any
change of the curated data.
"""
from __future__ import annotations

import hashlib

import pyoxigraph as ox

MOD = 1 << 256


def _blank_labels(triples: list[ox.Triple], rounds: int = 3) -> dict:
    blanks = {t for tr in triples for t in (tr.subject, tr.object) if isinstance(t, ox.BlankNode)}
    label = {b: "_" for b in blanks}

    def name(t):
        return label[t] if isinstance(t, ox.BlankNode) else str(t)
    for _ in range(rounds):
        parts: dict = {b: [] for b in blanks}
        for t in triples:
            if isinstance(t.subject, ox.BlankNode):
                parts[t.subject].append(f">{t.predicate} {name(t.object)}")
            if isinstance(t.object, ox.BlankNode):
                parts[t.object].append(f"<{t.predicate} {name(t.subject)}")
        label = {b: "_:" + hashlib.sha1("|".join(sorted(p)).encode()).hexdigest()[:16] for b, p in parts.items()}
    return label


def _add(total: int, line: str) -> int:
    return (total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % MOD


def graph_signature(store: ox.Store, graph: str) -> dict:
    """{"triples": n, "sha256": hex}: a sum of per-triple hashes, so the order of triples does not matter."""
    total, n, with_blanks = 0, 0, []
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        n += 1
        t = q.triple
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            with_blanks.append(t)
        else:
            total = _add(total, f"{t.subject} {t.predicate} {t.object}")
    label = _blank_labels(with_blanks)
    for t in with_blanks:
        s = label.get(t.subject, str(t.subject))
        o = label.get(t.object, str(t.object))
        total = _add(total, f"{s} {t.predicate} {o}")
    return {"triples": n, "sha256": f"{total:064x}"}


def graph_signatures(store: ox.Store) -> dict[str, dict]:
    return {g: graph_signature(store, g) for g in sorted(n.value for n in store.named_graphs())}
