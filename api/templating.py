"""Jinja2 templates (api/templates/) with the filters that keep data text safe and readable.

Autoescape is on. Data strings also lose the power to reorder a page: bidi embedding/override
controls are shown as visible markers and every data string is rendered inside <bdi> by the
templates, so a right-to-left override in a label cannot flip the text around it.
"""
from __future__ import annotations

import re
from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

_BIDI_CONTROLS = re.compile("[\u202A-\u202E\u2066-\u2069]")
_RTL_LANGS = ("fa", "ar", "he", "ur", "ps", "ckb")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def visible_text(value) -> str:
    """Data text with bidi overrides made visible (U+202E etc.) instead of obeyed."""
    return _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", "" if value is None else str(value))


def lang_attrs(lang: str | None) -> Markup:
    """lang (and dir="rtl" for right-to-left languages) attributes for a language-tagged string."""
    if not lang:
        return Markup("")
    rtl = lang.lower().split("-")[0] in _RTL_LANGS
    return Markup(f' lang="{escape(lang)}"' + (' dir="rtl"' if rtl else ""))


def safe_href(iri: str | None, base_iri: str) -> str | None:
    """Where a link to this IRI should go: our entities to /id/..., other http(s) IRIs as they are;
    anything else (javascript:, data:, ...) gets no link at all."""
    if not iri:
        return None
    if iri.startswith(base_iri + "id/"):
        return "/id/" + iri[len(base_iri) + 3:]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


templates.env.filters["text"] = visible_text
templates.env.filters["lang_attrs"] = lang_attrs
