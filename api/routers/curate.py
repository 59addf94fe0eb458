"""/curate: the curator's review of article drafts (data/articles, written by `cdkg intake`), behind
the update token like every write. The article text with each candidate's sentence highlighted,
accept / reject / correct-the-status per candidate, an entity picker that searches the graph (the
/search index) to replace a proposed or wrongly matched place, organisation, network or person with
one the graph knows, every decision recorded as PROV (kg.intake.provenance), and the SHACL report of
what the draft would publish, recomputed after every decision. No script: plain forms."""
from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
import pyoxigraph as ox

from api.deps import ServiceDep, StoreDep
from api.remote_writes import merged_snapshot
from api.routers.search import index as search_index
from api.routers.update import require_writer
from api.templating import templates
from kg.core import CdkgError
from kg.intake import AGREEMENT_STATUSES, decide, list_drafts, read_draft
from kg.validation import own_graphs, read_contribution, validate_contribution

router = APIRouter(prefix="/curate", tags=["curation"])
MAX_FORM = 16_384  # a decision is a few hundred bytes
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PICKABLE = ("city", "country", "region", "place", "person", "organisation")  # what a candidate's entity may be replaced by


def curator_of(request: Request, settings, typed: str) -> str:
    """Who decides: the configured curator (CDKG_CURATOR), else the HTTP Basic user name, else the
    name typed on the page."""
    if settings.curator:
        return settings.curator
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0].strip()
        except (binascii.Error, UnicodeDecodeError):
            user = ""
        if user:
            return user
    return typed


def _segments(text: str, items) -> list[tuple[str, int | None]]:
    """The text cut into plain runs and highlighted sentences (start offset as the anchor)."""
    spans = sorted({q for it in items for q in it.quotes})
    out, pos = [], 0
    for s, e in spans:
        if s < pos or e > len(text):
            continue  # overlapping or out of range: the first one is shown
        out += [(text[pos:s], None), (text[s:e], s)]
        pos = e
    out.append((text[pos:], None))
    return [seg for seg in out if seg[0]]


def _label_refs(store, draft) -> None:
    """The graph's English labels on the entities a picker may replace (the draft names new ones only)."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for it in draft.items:
        named = []
        for iri, text in it.refs:
            if text == iri.rsplit("/", 1)[-1]:
                found = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), label, None, None)
                         if getattr(q.object, "language", None) == "en"]
                text = found[0] if found else text
            named.append((iri, text))
        it.refs = named


def _context(service, store):
    """What a draft is validated against. Over a remote store: an in-memory copy of its project graphs
    with their merge (validation copies and stages its context), downloaded once per data generation."""
    if service.remote is None:
        return store
    return service.cached("curation-context", merged_snapshot)


def _report(service, store, path) -> dict:
    settings = service.settings
    store = _context(service, store)
    contribution, files = read_contribution([path], settings)
    # a draft built since (its accepted facts in the served store) is replaced, not counted twice
    report = validate_contribution(contribution, store, settings, "fast", files, replaces=own_graphs([path], settings))
    rows = [{"severity": r.severity_name, "focus": str(r.focus), "messages": list(r.messages)} for r in report.sorted()]
    return {"conforms": report.conforms, "violations": sum(r["severity"] == "Violation" for r in rows),
            "warnings": sum(r["severity"] == "Warning" for r in rows), "rows": rows}


@router.get("", response_class=HTMLResponse, summary="Article drafts awaiting review")
async def drafts(request: Request, service: ServiceDep) -> Response:
    require_writer(request, service)
    return templates.TemplateResponse(request, "curate.html", {"title": "Curate", "drafts": list_drafts(service.settings),
                                                               "draft": None})


@router.get("/{doc_id}", response_class=HTMLResponse, summary="One draft: text, candidates, SHACL report")
async def draft_page(doc_id: str, request: Request, service: ServiceDep, store: StoreDep, curator: str = "",
                     pick: str = "", q: str = "") -> Response:
    require_writer(request, service)
    if len(q) > 200 or len(pick) > 1000:
        raise HTTPException(400, "a search is at most 200 characters and names one candidate")
    try:
        draft = read_draft(service.settings, doc_id)
    except FileNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except CdkgError as exc:
        raise HTTPException(400, str(exc)) from None
    report = await run_in_threadpool(_report, service, store, draft.path)
    await run_in_threadpool(_label_refs, store, draft)
    hits = []
    if pick and q.strip():
        idx = await run_in_threadpool(search_index, service)
        hits = [h for h in idx.search(q, limit=40) if h.kind in PICKABLE][:12]
    return templates.TemplateResponse(request, "curate.html", {
        "title": f"Curate {doc_id}", "draft": draft, "segments": _segments(draft.text, draft.items),
        "statuses": AGREEMENT_STATUSES, "report": report, "curator": curator_of(request, service.settings, curator),
        "curator_fixed": curator_of(request, service.settings, "") != "", "pick": pick, "q": q, "hits": hits})


@router.post("/{doc_id}", summary="Accept, reject, correct one candidate or replace an entity in it (form: node, decision, curator, status, replaced, replacement)")
async def decide_one(doc_id: str, request: Request, service: ServiceDep, store: StoreDep) -> Response:
    require_writer(request, service)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM:
        raise HTTPException(413, f"form over {MAX_FORM} bytes: a decision is node, decision, curator and status")
    body = await request.body()
    if len(body) > MAX_FORM:
        raise HTTPException(413, f"form over {MAX_FORM} bytes: a decision is node, decision, curator and status")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    curator = curator_of(request, service.settings, form.get("curator", ""))
    replacement = form.get("replacement") or ""
    if replacement:
        try:
            known = len(replacement) <= 1000 and next(iter(store.quads_for_pattern(ox.NamedNode(replacement), _TYPE, None, None)), None)
        except ValueError:  # not an IRI at all
            known = None
        if not known:
            raise HTTPException(400, f"<{replacement[:200]}> is not an entity of the graph: search for one with the picker")
    if replacement and not form.get("decision"):
        # a proposed entity replaced by a known one is rejected (its mentions move); a statement so corrected is accepted
        form["decision"] = "review-rejected" if form.get("replaced") == form.get("node") else "review-accepted"
    try:
        await run_in_threadpool(decide, service.settings, doc_id, form.get("node", ""), form.get("decision", ""),
                                curator, form.get("status") or None, None, form.get("replaced") or None,
                                replacement or None)
    except FileNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except CdkgError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/curate/{quote(doc_id)}?curator={quote(form.get('curator', ''))}", status_code=303)
