"""Read an article: a saved HTML page, a text file, or a URL (fetched only when asked, bounded in
size and time). HTML goes through trafilatura (main text, title, site name) and htmldate
(publication date); a text file is taken as it is. Bad input raises IntakeError, nothing is written.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.core import CdkgError

MAX_BYTES = 5_000_000
FETCH_SECONDS = 20.0
MIN_LETTERS = 200  # fewer letters than a short news item: a menu, an error page, an empty file
_ENCODINGS = ("utf-8-sig", "utf-16")


class IntakeError(CdkgError):
    """An article that cannot be read: empty, not an article, unsupported encoding, another
    language, or an address that cannot be fetched."""


@dataclass
class Article:
    text: str
    source: str  # the path or URL given
    title: str | None = None
    site: str | None = None
    url: str | None = None
    html_date: str | None = None  # ISO date htmldate found in the page's markup
    language: str = "fa"


def _decode(raw: bytes, where: str) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(f"{where}: not UTF-8 (byte {exc.start} is invalid); save the article as UTF-8 "
                          f"(e.g. `iconv -f windows-1256 -t utf-8`) and run again") from None


def language_of(text: str) -> str | None:
    """'fa' or 'en' from the letters used; None for anything else (Arabic, Russian, ...)."""
    arabic_script = len(re.findall(r"[\u0600-\u06ff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    other = len(re.findall(r"[^\W\d_]", text)) - arabic_script - latin
    if arabic_script >= max(latin, other):
        persian_only = len(re.findall(r"[پچژگی]", text))  # letters Arabic does not use
        arabic_only = len(re.findall(r"[ةيىأإ]", text))
        return "fa" if persian_only >= arabic_only else None
    if latin >= other:
        words = re.findall(r"[a-z]+", text.lower())
        english = sum(w in {"the", "and", "of", "to", "in", "with", "is", "was", "city", "said"} for w in words)
        return "en" if words and english / len(words) > 0.05 else None
    return None


def _from_html(html: str, source: str, url: str | None) -> Article:
    import trafilatura  # imported here: a text-file run should not pay for it
    from htmldate import find_date

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    text = (doc.text if doc is not None else "") or ""
    date = None
    try:
        date = find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises on malformed markup; no date is an answer, not a failure
        date = None
    return Article(text=text, source=source, title=getattr(doc, "title", None), site=getattr(doc, "sitename", None),
                   url=url or getattr(doc, "url", None), html_date=date)


def _fetch(url: str, max_bytes: int, seconds: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "cdkg-intake/0.1 (+https://w3id.org/cdkg/)"})
    try:
        with urllib.request.urlopen(req, timeout=seconds) as resp:
            raw = resp.read(max_bytes + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise IntakeError(f"{url}: cannot fetch ({getattr(exc, 'reason', exc)}); save the page and give the file instead") from None
    if len(raw) > max_bytes:
        raise IntakeError(f"{url}: page larger than {max_bytes} bytes; save the article text and give the file instead")
    return raw


def read_article(arg: str, max_bytes: int = MAX_BYTES, fetch_seconds: float = FETCH_SECONDS) -> Article:
    if re.match(r"^https?://", arg, re.I):
        raw, url = _fetch(arg, max_bytes, fetch_seconds), arg
    else:
        path = Path(arg)
        if not path.is_file():
            raise IntakeError(f"{arg}: no such file (give a saved HTML page, a text file or an http(s) URL)")
        if path.stat().st_size > max_bytes:
            raise IntakeError(f"{arg}: larger than {max_bytes} bytes; give the article alone")
        raw, url = path.read_bytes(), None
    text = _decode(raw, arg)
    is_html = url is not None or Path(arg).suffix.lower() in (".html", ".htm", ".xhtml") or \
        re.match(r"\s*(<!doctype html|<html)", text[:500], re.I) is not None
    article = _from_html(text, arg, url) if is_html else Article(text=text.replace("\r\n", "\n"), source=arg)
    letters = len(re.findall(r"[^\W\d_]", article.text))
    if letters < MIN_LETTERS:
        what = "no article text found in the page" if is_html else "too little text to be an article"
        raise IntakeError(f"{arg}: {what} ({letters} letters, at least {MIN_LETTERS} needed)")
    lang = language_of(article.text)
    if lang is None:
        raise IntakeError(f"{arg}: the article is neither Persian nor English; only those are supported")
    article.language = lang
    return article
