"""Just enough SPARQL lexing for the protocol: find FROM clauses, split updates, add USING clauses, find
the SERVICE and LOAD targets (requests the engine would send from the server).

pyoxigraph does not expose its parse tree, and two protocol rules need to look at the text:
- a query's own FROM / FROM NAMED must win over the service's union default graph;
- `using-graph-uri` / `using-named-graph-uri` act like USING clauses on every DELETE/INSERT ... WHERE.
Strings, IRIs and comments are skipped so a keyword inside a literal never counts.
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple
from urllib.parse import urljoin

_IRI = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')  # \u escapes: the engine decodes them
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


def _escaped(text: str, at: int) -> bool:
    """Is the character at `at` escaped: preceded by an odd run of backslashes (`\\\"` is `\\` then `\"`)."""
    run = at
    while run > 0 and text[run - 1] == "\\":
        run -= 1
    return (at - run) % 2 == 1


def _string_end(text: str, i: int) -> int:
    for quote in _LONG_STRINGS:
        if text.startswith(quote, i):
            end = text.find(quote, i + 3)
            while end != -1 and _escaped(text, end):
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


class Outbound(NamedTuple):
    """A request the query engine would send elsewhere: SERVICE (a federated query) or LOAD (a fetch)."""
    keyword: str  # SERVICE | LOAD
    written: str  # the target as written in the text
    target: str | None  # the absolute IRI it names; None when the text cannot tell (a variable, an unknown prefix)


_OUTBOUND_WORD = re.compile(r"service|load", re.I)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
_PNAME = re.compile(r"([A-Za-z\u00C0-\uFFFF][\w\-.\u00C0-\uFFFF]*)?:((?:[\w\-.:%\u00C0-\uFFFF]|\\.)*)")


def _unescape(text: str) -> str:
    # The engine decodes \u escapes inside IRIs (<http://127.0.0.1\u003A9999/> is port 9999): so must the check.
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _prologue(toks: list[Token], prefixes: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """PREFIX and BASE declarations (anywhere at depth 0: an update may repeat them per operation)."""
    declared, base = dict(prefixes), None
    for i, t in enumerate(toks[:-1]):
        if t.depth or t.kind != "word":
            continue
        if t.upper == "BASE" and toks[i + 1].kind == "iri":
            base = _unescape(toks[i + 1].text[1:-1])
        elif t.upper == "PREFIX":
            name = toks[i + 1]
            iri = toks[i + 2] if i + 2 < len(toks) else None
            if name.kind == "punct" and name.text == ":":
                name_text = ""
            elif name.kind == "word" and name.text.endswith(":"):
                name_text = name.text[:-1]
            else:
                continue
            if iri is not None and iri.kind == "iri":
                declared[name_text] = _unescape(iri.text[1:-1])
    return declared, base


def _target(text: str, tok: Token, prefixes: dict[str, str], base: str) -> tuple[str, str | None]:
    if tok.kind == "iri":
        return tok.text, urljoin(base, _unescape(tok.text[1:-1]))
    m = _PNAME.match(text, tok.start) if tok.kind in ("word", "punct") else None
    if m is None or not m.group(0) or (tok.kind == "punct" and tok.text != ":"):
        return tok.text, None
    written = m.group(0).rstrip(".")
    prefix, _, local = written.partition(":")
    if prefix not in prefixes:
        return written, None
    return written, urljoin(base, prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", _unescape(local)))


def outbound_requests(text: str, base_iri: str, prefixes: dict[str, str] | None = None) -> list[Outbound]:
    """Every SERVICE and LOAD target in a query or update, resolved to an absolute IRI where the text says.

    Keywords are found by the lexer (so a SERVICE inside a string, an IRI or a comment is not one);
    prefixed names resolve with the query's PREFIX lines over `prefixes` (the predeclared ones), and
    relative IRIs against BASE or else `base_iri`, as the engine resolves them."""
    if not _OUTBOUND_WORD.search(text):  # most queries: no lexing (the engine reads no \u escape in keywords)
        return []
    toks = tokens(text)
    declared, base = _prologue(toks, prefixes or {})
    base = urljoin(base_iri, base) if base else base_iri
    found: list[Outbound] = []
    for i, t in enumerate(toks):
        # `true.SERVICE` lexes as one word here but as `true . SERVICE` in the engine: look at the last part
        if t.kind != "word" or ":" in t.text or (keyword := t.upper.rsplit(".", 1)[-1]) not in ("SERVICE", "LOAD"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].upper.rsplit(".", 1)[-1] == "SILENT":
            j += 1
        if j >= len(toks):
            continue  # a syntax error; the engine says so
        written, target = _target(text, toks[j], declared, base)
        found.append(Outbound(keyword, written, target))
    return found


def outbound_refusal(text: str, base_iri: str, prefixes: dict[str, str], allowed: frozenset[str]) -> str | None:
    """Why the text may not run (a SERVICE or LOAD target off the allow-list), or None when it may.

    The engine would send these requests from the server, to any address a client names (an open
    proxy into the server's network), so only endpoints listed in CDKG_FEDERATION_ALLOW are reachable."""
    listed = ", ".join(sorted(allowed)) or "none"
    for out in outbound_requests(text, base_iri, prefixes):
        what = "federated SERVICE" if out.keyword == "SERVICE" else "LOAD (fetching a document from a URL)"
        if out.target is None:
            why = (f"its target {out.written[:200]} is not a fixed IRI" if out.written.startswith(("?", "$"))
                   else f"its target {out.written[:200]} cannot be resolved to an IRI from the text")
        elif out.target in allowed:
            continue
        else:
            why = f"<{out.target[:200]}> is not on the allow-list"
        return (f"{what} is disabled on this endpoint ({why}); allowed endpoints: {listed} (CDKG_FEDERATION_ALLOW)")


# One pass over the text for the query path: nesting depth of { ( [ and the outermost LIMIT. Strings, IRIs
# and comments are matched first so brackets or the word LIMIT inside them never count.
_SHAPE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*(?:\'\'\'|$)'
                    r'|"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
                    r'|(?<![?$:\w])(?i:LIMIT\s+(\d+))|[{}()\[\]]', re.S)
_OPEN, _CLOSE = "{([", "})]"


class QueryShape(NamedTuple):
    depth: int  # deepest nesting of { ( [ together
    limit: int | None  # LIMIT of the outermost query (outside every bracket), if any


def query_shape(text: str) -> QueryShape:
    """Nesting depth and outermost LIMIT, without parsing: the service checks the depth before a query
    reaches the recursive parser (too deep overflows a worker's stack), and a SELECT whose own LIMIT is
    within the row cap needs no look-ahead to know it is not cut."""
    depth = deepest = 0
    limit = None
    for m in _SHAPE.finditer(text):
        c = m.group(0)[0]
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth -= 1
        elif m.group(1) is not None and depth == 0:
            limit = int(m.group(1))
    return QueryShape(deepest, limit)


def nesting_refusal(depth: int, limit: int, what: str) -> str | None:
    """The 400 message for a query or update nested deeper than CDKG_MAX_QUERY_NESTING (None: within it)."""
    if depth <= limit:
        return None
    return (f"{what} nesting too deep (limit {limit}): its {{ ( [ brackets nest {depth} levels "
            "(CDKG_MAX_QUERY_NESTING); flatten it")


def construct_bound(text: str) -> int | None:
    """Most triples one solution can add to a CONSTRUCT answer (None: not a CONSTRUCT with an explicit template,
    or the template has a collection). The first triple takes three terms and every further one at least one
    more, so terms - 2 bounds it (an opening [ counts as a term, as it stands for a blank node)."""
    if "construct" not in text.lower():
        return None
    toks = iter_tokens(text)
    for t in toks:
        if t.depth == 0 and t.kind == "word" and t.upper == "CONSTRUCT":
            break
    else:
        return None
    first = next(toks, None)
    if first is None or first.kind != "punct" or first.text != "{":
        return None  # CONSTRUCT WHERE { ... }: the template is the pattern
    terms = 0
    for t in toks:
        if t.depth == 1 and t.kind == "punct" and t.text == "}":
            return max(terms - 2, 0)
        if t.kind == "punct" and t.text == "(":
            return None  # a collection adds two triples per member
        if t.kind != "punct" or t.text == "[" or t.text.isdigit():
            terms += 1
    return None
