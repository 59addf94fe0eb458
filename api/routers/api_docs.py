"""/docs (Swagger UI), /redoc (ReDoc) and /favicon.ico. The documentation pages load their files from a
Python package (fastapi-offline), so they work offline and load nothing from a CDN."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.favicon import favicon_ico

router = APIRouter(include_in_schema=False)
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "redoc.standalone.js": "text/javascript"}
# Inline start-up scripts; ReDoc runs its search in a worker made from a blob: URL.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _asset_dir():
    return files("fastapi_offline") / "static"


def _root(request: Request) -> str:
    return request.scope.get("root_path", "")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_swagger_ui_html(openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} - API",
                               swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
                               swagger_css_url=f"{root}/docs-assets/swagger-ui.css", swagger_favicon_url=f"{root}/favicon.ico")
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} - API",
                          redoc_js_url=f"{root}/docs-assets/redoc.standalone.js", redoc_favicon_url=f"{root}/favicon.ico",
                          with_google_fonts=False)
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


@lru_cache(maxsize=1)
def _redoc_js() -> bytes:
    # ReDoc's sidebar shows a logo from cdn.redoc.ly (hidden when it fails to load): use the site icon
    # instead, so the page asks nothing of another host and its CSP reports no violation.
    return (_asset_dir() / "redoc.standalone.js").read_bytes().replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg",
                                                                       b"/favicon.ico")


@router.get("/docs-assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, f"no documentation asset '{name}'")
    cache = {"Cache-Control": "max-age=86400"}
    if name == "redoc.standalone.js":
        return Response(_redoc_js(), media_type=ASSETS[name], headers=cache)
    return FileResponse(str(_asset_dir() / name), media_type=ASSETS[name], headers=cache)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(favicon_ico(), media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})
