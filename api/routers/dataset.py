"""The dataset as a whole: downloads (dumps) and its VoID description (/.well-known/void)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from api.deps import ServiceDep
from api.description import DESCRIPTION_PREFIXES, void_description
from api.sparql import GRAPHS, negotiate_or_reject
from api.sparql import graph_bytes
from api.routers.home import counts
from api.templating import templates
from kg.dataset import export

router = APIRouter(tags=["dataset"])
# file name -> (export format, media type, what it holds)
DOWNLOADS = {
    "cdkg.trig": ("trig", "application/trig", "every named graph (sources, ontology, inferred) in TriG"),
    "cdkg.nq": ("nquads", "application/n-quads", "every named graph in N-Quads"),
    "cdkg.ttl": ("turtle", "text/turtle", "the default graph (every named graph merged, each triple once) in Turtle"),
    "cdkg.jsonld": ("jsonld", "application/ld+json", "the default graph (the merge) in JSON-LD"),
    "cdkg.nt": ("ntriples", "application/n-triples", "the default graph (the merge) in N-Triples"),
}


def _store_key(store_dir: Path) -> str:
    """Changes whenever the store's files change (a rebuild or a write)."""
    h = hashlib.sha256()
    for f in sorted(store_dir.glob("*")) if store_dir.is_dir() else []:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


@router.get("/downloads", summary="Dumps of the dataset", response_class=Response)
def downloads(request: Request, state: ServiceDep) -> Response:
    return templates.TemplateResponse(request, "downloads.html", {"title": "Downloads", "downloads": DOWNLOADS,
                                                                  "counts": counts(state)})


@router.get("/downloads/{name}", summary="One dump of the dataset", response_class=Response)
def download(name: str, state: ServiceDep) -> Response:
    if name not in DOWNLOADS:
        raise HTTPException(404, f"no download '{name}'; available: {', '.join(DOWNLOADS)}")
    fmt, media, _ = DOWNLOADS[name]
    settings = state.settings
    key = f"{_store_key(settings.store_dir)}-{state.generation}" if state.on_disk else f"memory-{id(state)}-{state.generation}"
    target = settings.build_dir / "downloads" / key / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with state.reading() as store:
            data = export(store, fmt, None, settings.base_iri)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        for old in target.parent.parent.iterdir():  # dumps of earlier versions of the store
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    return FileResponse(target, media_type=media, filename=name)


@router.get("/.well-known/void", summary="VoID description of the dataset (RDF by Accept)", response_class=Response)
def void(request: Request, state: ServiceDep) -> Response:
    fmt = negotiate_or_reject(request.headers.get("accept"), GRAPHS, "turtle", "VoID")
    site = str(request.base_url).rstrip("/")
    body = graph_bytes(void_description(state.settings, counts(state), site), fmt, DESCRIPTION_PREFIXES)
    media = GRAPHS.types[fmt] + ("; charset=utf-8" if fmt == "turtle" else "")
    return Response(body, media_type=media, headers={"Vary": "Accept"})
