"""Just enough SPARQL lexing for the protocol: find FROM clauses, split updates, add USING clauses.

pyoxigraph does not expose its parse tree, and two protocol rules need to look at the text:
- a query's own FROM / FROM NAMED must win over the service's union default graph;
- `using-graph-uri` / `using-named-graph-uri` act like USING clauses on every DELETE/INSERT ... WHERE.
Strings, IRIs and comments are skipped so a keyword inside a literal never counts.
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w\-.:\u00C0-\uFFFF]*")
_VAR = re.compile(r"[?$]\w+")
_SPACE = re.compile(r"\s+")
_LONG_STRINGS = ('"""', "'''")


class UpdateDatasetConflict(ValueError):
    """using-graph-uri / using-named-graph-uri given for an update that has its own USING or WITH."""


class Token(NamedTuple):  # a tuple: the service lexes every query, and frozen dataclasses are slow to make
    kind: str  # word | iri | string | var | punct
    text: str
    start: int
    depth: int  # brace depth before the token

    @property
    def upper(self) -> str:
        return self.text.upper()


def _string_end(text: str, i: int) -> int:
    for quote in _LONG_STRINGS:
        if text.startswith(quote, i):
            end = text.find(quote, i + 3)
            while end != -1 and text[end - 1] == "\\" and text[end - 2] != "\\":
                end = text.find(quote, end + 1)
            return len(text) if end == -1 else end + 3
    quote, j = text[i], i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


def tokens(text: str) -> list[Token]:
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    i, depth, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i = _SPACE.match(text, i).end()
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if c in "\"'":
            end = _string_end(text, i)
            yield Token("string", text[i:end], i, depth)
            i = end
            continue
        m = (_IRI.match(text, i) if c == "<" else _VAR.match(text, i) if c in "?$" else _WORD.match(text, i))
        if m:
            word = m.group(0)
            if m.re is _WORD:
                word = word.rstrip(".")
            kind = {"<": "iri", "?": "var", "$": "var"}.get(c, "word")
            yield Token(kind, word, i, depth)
            i += len(word)
            continue
        yield Token("punct", c, i, depth)
        depth += 1 if c == "{" else -1 if c == "}" else 0
        i += 1


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (FROM or FROM NAMED outside any group).

    The grammar puts dataset clauses before the WHERE group (after the template of a CONSTRUCT), so
    lexing stops at that group: the service runs this on every query, and most of a query is its body."""
    previous = ""
    for t in iter_tokens(query):
        if t.depth == 0 and t.kind == "word":
            if t.upper == "FROM":
                return True
            previous = t.upper
        elif t.depth == 0 and t.text == "{" and t.kind == "punct":
            if previous != "CONSTRUCT":
                return False
            previous = "{"  # the template is read through; the next top-level group is the WHERE group
    return False


def _operations(toks: list[Token]) -> list[list[Token]]:
    ops: list[list[Token]] = [[]]
    for t in toks:
        if t.kind == "punct" and t.text == ";" and t.depth == 0:
            ops.append([])
        else:
            ops[-1].append(t)
    return [op for op in ops if op]


def add_using_clauses(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Insert USING / USING NAMED before the WHERE of each DELETE/INSERT ... WHERE operation."""
    if not default_graphs and not named_graphs:
        return update
    clause = " ".join([*(f"USING <{g}>" for g in default_graphs), *(f"USING NAMED <{g}>" for g in named_graphs)])
    inserts: list[int] = []
    for op in _operations(tokens(update)):
        words = [t for t in op if t.kind == "word" and t.depth == 0]
        if any(t.upper in ("USING", "WITH") for t in words):
            raise UpdateDatasetConflict("the update has its own USING or WITH clause and the request also gives "
                                        "using-graph-uri / using-named-graph-uri; give the dataset one way only")
        first = next((i for i, t in enumerate(op) if t.kind == "word" and t.upper in ("DELETE", "INSERT")), None)
        if first is None or any(t.kind == "word" and t.depth == 0 and t.upper not in ("PREFIX", "BASE") and not t.text.endswith(":")
                                for t in op[:first]):
            continue  # LOAD, CLEAR, DROP, ADD, MOVE, COPY, CREATE take no dataset
        after = op[first + 1] if first + 1 < len(op) else None
        if after is not None and after.kind == "word" and after.upper in ("DATA", "WHERE"):
            continue  # INSERT DATA / DELETE DATA / DELETE WHERE allow no USING
        where = next((t for t in words if t.upper == "WHERE"), None)
        if where is not None:
            inserts.append(where.start)
    for pos in sorted(inserts, reverse=True):
        update = f"{update[:pos]}{clause} {update[pos:]}"
    return update


def _iri_value(tok: Token, base_iri: str | None) -> str:
    iri = tok.text[1:-1]
    if base_iri and ":" not in iri:  # relative: resolved like the update's own IRIs (good enough for graph names)
        iri = base_iri.rsplit("/", 1)[0] + "/" + iri
    return iri


def write_targets(update: str, base_iri: str | None = None) -> set[str | None] | None:
    """Graphs an update can add quads to or delete quads from (None in the set = the default graph), or
    None when that cannot be told from the text (GRAPH ?var in a template, prefixed-name graph names,
    DROP/CLEAR NAMED or ALL)."""
    return _targets(update, base_iri, ("INSERT", "DELETE"))


def _graph_after(op: list[Token], j: int, base_iri: str | None) -> tuple[bool, str | None]:
    """The graph named from token j on (GRAPH <iri>, <iri> or DEFAULT): (known, iri or None = default)."""
    nxt = op[j] if j < len(op) else None
    if nxt is not None and nxt.kind == "word" and nxt.upper in ("GRAPH", "SILENT"):
        return _graph_after(op, j + 1, base_iri)
    if nxt is None or (nxt.kind == "word" and nxt.upper == "DEFAULT"):
        return True, None
    if nxt.kind == "iri":
        return True, _iri_value(nxt, base_iri)
    return False, None


def _targets(update: str, base_iri: str | None, keywords: tuple[str, ...]) -> set[str | None] | None:
    targets: set[str | None] = set()
    for op in _operations(tokens(update)):
        words = [i for i, t in enumerate(op) if t.kind == "word" and t.depth == 0]
        upper = [op[i].upper for i in words]
        key = next((w for w in upper if w in ("DROP", "CLEAR", "MOVE")), None)
        if "DELETE" in keywords and key:  # these empty a graph (MOVE its source)
            known, graph = _graph_after(op, words[upper.index(key)] + 1, base_iri)
            if not known:
                return None  # NAMED, ALL
            targets.add(graph)
            if key != "MOVE":
                continue
        if any(w in ("ADD", "COPY", "MOVE", "LOAD") for w in upper):
            key = "INTO" if "LOAD" in upper else "TO"
            if key not in upper:
                continue  # LOAD without INTO writes the default graph
            j = words[upper.index(key)] + 1
            nxt = op[j] if j < len(op) else None
            if nxt is not None and nxt.kind == "word" and nxt.upper == "GRAPH":
                j += 1
                nxt = op[j] if j < len(op) else None
            if nxt is None or (nxt.kind == "word" and nxt.upper == "DEFAULT"):
                targets.add(None)
            elif nxt.kind == "iri":
                targets.add(_iri_value(nxt, base_iri))
            else:
                return None
            continue
        for keyword in keywords:
            if keyword in upper and not _template_targets(op, words, upper, keyword, base_iri, targets):
                return None
    return targets


def _template_targets(op, words, upper, keyword, base_iri, targets: set) -> bool:
    """Add the graphs of the template after `keyword` to targets; False when they cannot be told."""
    with_graph = None
    if "WITH" in upper:
        w = op[words[upper.index("WITH")] + 1]
        if w.kind != "iri":
            return False
        with_graph = _iri_value(w, base_iri)
    i = words[upper.index(keyword)] + 1
    while i < len(op) and not (op[i].kind == "punct" and op[i].text == "{"):
        i += 1
    i += 1
    while i < len(op) and op[i].depth >= 1:
        t = op[i]
        if t.depth == 1 and t.kind == "word" and t.upper == "GRAPH":
            g = op[i + 1] if i + 1 < len(op) else None
            if g is None or g.kind != "iri":
                return False
            targets.add(_iri_value(g, base_iri))
            i += 2
            while i < len(op) and not (op[i].kind == "punct" and op[i].text == "}" and op[i].depth == 2):
                i += 1
        elif t.depth == 1 and not (t.kind == "punct" and t.text in "{}"):
            targets.add(with_graph)
        i += 1
    return True
