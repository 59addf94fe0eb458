"""A named graph's signature: its triple count and an order-free hash of its triples, computed in one
pass over the store. Recorded in release.json and per remote store, so a publish knows what changed
without downloading anything.

Blank nodes get new labels in every build and every store, so they are named by a hash of their
neighbourhood (Weisfeiler-Lehman style refinement, a sum of hashed edges per node each round): equal
for isomorphic graphs, different for any change of the curated data. The triples that touch blank
nodes are kept as columns (22 bytes a triple), not as Python objects: the first version held every such
triple as objects and peaked at 1.8 GB on a 5M-triple graph.
"""
from __future__ import annotations

import hashlib
from array import array

import numpy as np
import pyoxigraph as ox

MOD = 1 << 256
_ROUNDS = 3
_OUT, _IN, _TRIPLE = np.uint64(1), np.uint64(2), np.uint64(3)


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _mix(*parts: np.ndarray) -> np.ndarray:
    """splitmix64 over a running combination of the parts (uint64 arithmetic wraps, as intended)."""
    with np.errstate(over="ignore"):
        x = np.zeros_like(parts[0], dtype=np.uint64)
        for part in parts:
            x = (x ^ part) + np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
        return x


class _BlankTriples:
    """Triples touching a blank node, as columns: subject and object a 64-bit hash (of the IRI or literal,
    or of the blank node's label in this store), their is-blank flags, the predicate as a small index."""

    def __init__(self) -> None:
        self.s, self.o = array("Q"), array("Q")
        self.p = array("I")
        self.s_blank, self.o_blank = array("b"), array("b")
        self.predicates: dict[str, int] = {}

    def add(self, t: ox.Triple) -> None:
        for col, flag, term in ((self.s, self.s_blank, t.subject), (self.o, self.o_blank, t.object)):
            blank = isinstance(term, ox.BlankNode)
            col.append(_h64(term.value if blank else str(term)))
            flag.append(blank)
        self.p.append(self.predicates.setdefault(str(t.predicate), len(self.predicates)))

    def digest(self) -> int:
        """Sum mod 2**64 of the triples' hashes with blank nodes named by their neighbourhood."""
        if not self.p:
            return 0
        # Each column is taken over by numpy (no copy); a blank position's hash is then replaced by the
        # node's dense index, so no separate index columns are held.
        s, o = (np.frombuffer(c, dtype=np.uint64) for c in (self.s, self.o))
        sb, ob = (np.frombuffer(c, dtype=np.bool_) for c in (self.s_blank, self.o_blank))
        p = np.frombuffer(self.p, dtype=np.uint32)
        p_hash = np.array([_h64(iri) for iri in self.predicates], dtype=np.uint64)
        n_blanks = _index_blanks(s, sb, o, ob)
        label = np.zeros(n_blanks, dtype=np.uint64)
        for _ in range(_ROUNDS):
            acc = np.zeros(n_blanks, dtype=np.uint64)
            for part in _chunks(len(p)):  # temporaries bounded by the chunk, not the graph
                s_term, o_term = _terms(label, s, sb, part), _terms(label, o, ob, part)
                out, into = sb[part], ob[part]
                pred = p_hash[p[part]]
                np.add.at(acc, s[part][out].astype(np.intp), _mix(_OUT, pred[out], o_term[out]))
                np.add.at(acc, o[part][into].astype(np.intp), _mix(_IN, pred[into], s_term[into]))
            label = _mix(acc)
        total = 0
        for part in _chunks(len(p)):
            line = _mix(_TRIPLE, _terms(label, s, sb, part), p_hash[p[part]], _terms(label, o, ob, part))
            total = (total + int(line.sum(dtype=np.uint64))) % (1 << 64)
        return total


def _index_blanks(s: np.ndarray, sb: np.ndarray, o: np.ndarray, ob: np.ndarray) -> int:
    """Replace each blank node's hash in s and o (in place) by a dense index; returns how many there are.
    One sort of the blank positions' hashes (np.unique would hold about twice the temporaries)."""
    n_sb = int(sb.sum())
    keys = np.concatenate([s[sb], o[ob]])
    order = np.argsort(keys)
    keys = keys[order]
    first = np.empty(len(keys), dtype=np.bool_)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    del keys
    index = np.empty(len(first), dtype=np.uint64)
    index[order] = np.cumsum(first, dtype=np.uint64) - np.uint64(1)
    n_blanks = int(first.sum())
    del order, first
    s[sb], o[ob] = index[:n_sb], index[n_sb:]
    return n_blanks


_CHUNK = 1 << 18


def _chunks(n: int):
    return (slice(i, min(i + _CHUNK, n)) for i in range(0, n, _CHUNK))


def _terms(label: np.ndarray, value: np.ndarray, blank: np.ndarray, part: slice) -> np.ndarray:
    """A column's terms in a chunk: the IRI/literal hash, or (at a blank position, which holds the
    node's index) the blank node's current label."""
    out = value[part].copy()
    at = blank[part]
    out[at] = label[out[at].astype(np.intp)]
    return out


def _add(total: int, line: str) -> int:
    return (total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % MOD


def graph_signature(store: ox.Store, graph: str) -> dict:
    """{"triples": n, "sha256": hex}: a sum of per-triple hashes, so the order of triples does not matter."""
    total, n, blanks = 0, 0, _BlankTriples()
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        n += 1
        t = q.triple
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            blanks.add(t)
        else:
            total = _add(total, f"{t.subject} {t.predicate} {t.object}")
    if blanks.p:
        total = _add(total, f"blank triples {len(blanks.p)} {blanks.digest():016x}")
    return {"triples": n, "sha256": f"{total:064x}"}


def graph_signatures(store: ox.Store) -> dict[str, dict]:
    return {g: graph_signature(store, g) for g in sorted(n.value for n in store.named_graphs())}
