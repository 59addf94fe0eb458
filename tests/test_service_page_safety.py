"""Pages under real use: security headers on every answer, a CSP that each page actually lives with
(checked in headless Chromium: no violation, nothing loaded from off 127.0.0.1), /docs and /redoc offline,
a site icon, and /ontology documenting the ontology itself with its labels per language."""
from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from api.ui_assets import assets_present, ensure
from browser import Browser, chromium_path

client = httpx.Client(timeout=60)
# Registered before any page script runs: every CSP violation the page causes is kept for the test.
RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def site(settings, readonly):
    ensure(settings.ui_assets_dir)  # YASGUI for the query UI (skipped below when it cannot be installed)
    return readonly  # the session's read-only server: the page's files are read from disk per request


def test_every_answer_carries_the_security_headers(site):
    html = {"accept": "text/html"}
    for path, headers in [("/", html), ("/health", {}), ("/sparql", {"accept": "text/turtle"}), ("/sparql", html),
                          ("/id/place/isfahan", html), ("/id/place/isfahan", {"accept": "text/turtle"}),
                          ("/search?q=isfahan", {}), ("/no/such/page", {}), ("/ontology", html), ("/docs", html),
                          ("/redoc", html), ("/favicon.ico", {}), ("/explore/id/place/isfahan", html)]:
        r = client.get(f"{site}{path}", headers=headers)
        assert r.status_code < 500, (path, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] in ("DENY", "SAMEORIGIN"), path
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors" in csp and "default-src" in csp, (path, csp)
        if not r.headers["content-type"].startswith("text/html"):
            assert csp.startswith("default-src 'none'"), (path, csp)  # data runs nothing
    page = client.get(f"{site}/", headers=html).headers["content-security-policy"]
    assert "script-src" not in page and "default-src 'none'" in page  # a page without scripts runs none


def test_favicon_is_an_icon(site):
    r = client.get(f"{site}/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", r.content[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    size, offset = struct.unpack("<II", r.content[14:22])
    png = r.content[offset:offset + size]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and struct.unpack(">II", png[16:24]) == (32, 32)
    assert zlib.decompress(png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8])  # image data inflates


def test_ontology_page_is_about_the_ontology_with_labels_per_language(site):
    """Regression: /ontology was headed by the last SKOS concept scheme, English and Persian run together."""
    r = client.get(f"{site}/ontology", headers={"accept": "text/html"})
    assert r.status_code == 200
    page = r.text
    assert "<title>City Diplomacy Knowledge Graph ontology</title>" in page
    metadata = page[page.index('id="metadata"'):page.index('id="metadata"') + 1500]
    assert "<code>https://w3id.org/cdkg/ontology</code>" in metadata
    assert "concept/" not in metadata and "UNESCO creative fields" not in metadata
    assert 'City Diplomacy Knowledge Graph ontology · <bdi lang="fa" dir="rtl">' in metadata
    assert "edge targetمقصد یال" not in page and 'edge target · <bdi lang="fa" dir="rtl">مقصد یال</bdi>' in page


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package `chromium`)")
    with Browser(exe) as b:
        b.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
        yield b


def _visit(browser: Browser, url: str, ready: str) -> None:
    browser.requests.clear()
    browser.console.clear()
    browser.goto(url)
    browser.wait_for(ready, timeout=60)
    assert browser.evaluate("window.__csp") == [], url
    assert browser.console == [], browser.console
    offsite = [u for u in browser.requests if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))]
    assert offsite == [], offsite


def test_docs_and_redoc_render_offline_under_their_csp(site, browser):
    _visit(browser, f"{site}/docs", "document.querySelectorAll('.opblock').length > 5")
    _visit(browser, f"{site}/redoc", "document.querySelectorAll('[data-section-id]').length > 5")


def test_pages_live_with_their_csp_in_a_browser(site, browser, settings):
    _visit(browser, f"{site}/", "document.querySelector('main, body') !== null")
    _visit(browser, f"{site}/id/place/isfahan", "document.body.innerText.includes('Isfahan')")
    _visit(browser, f"{site}/ontology", "document.querySelectorAll('.entity').length > 10")
    if assets_present(settings.ui_assets_dir):
        _visit(browser, f"{site}/sparql", "typeof Yasgui !== 'undefined' && document.querySelector('.yasqe .CodeMirror') !== null")
        browser.evaluate("(() => { const t = yasgui.getTab(); t.setQuery('SELECT ?l WHERE { place:isfahan rdfs:label ?l }'); "
                         "t.query(); return true })()")
        browser.wait_for("document.querySelectorAll('.yasr table tbody tr').length > 0", timeout=60)
        assert browser.evaluate("window.__csp") == [] and browser.console == []
