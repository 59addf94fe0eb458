"""From an article to a draft: read, normalise, find names and dates, propose candidates, write
data/articles/<doc-id>.ttl and the stored text it quotes (data/articles/texts/<doc-id>.txt)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.core import Settings
from kg.intake import candidates as rules
from kg.intake.cues import compiled
from kg.intake.dates import DateMention, anchor_year, find_dates, publication_date
from kg.intake.draft import Document, Writer, decisions, edited_by_hand
from kg.intake.figures import figures
from kg.intake.mentions import Mention, find_mentions, home_city
from kg.intake.names import Entity, Gazetteer, load_gazetteer
from kg.intake.people import new_people
from kg.intake.provenance import replay
from kg.intake.normalise import Normalised, fold, normalise
from kg.intake.read import Article, IntakeError, read_article

ARTICLES = "articles"
_CHROME = ("امروز", "برابر با", "today")


@dataclass
class Analysis:
    article: Article
    norm: Normalised
    doc: Document
    home: Entity | None
    mentions: list[Mention]
    dates: list[DateMention]
    candidates: list[rules.Candidate] = field(default_factory=list)
    proposed: list[Entity] = field(default_factory=list)  # people and posts found beside a title

    @property
    def new_entities(self) -> list[Entity]:
        seen: dict[str, Entity] = {}
        for e in [m.entity for m in self.mentions if m.new] + self.proposed:
            seen.setdefault(e.iri, e)
        return list(seen.values())


def _chrome_spans(norm: str) -> list[tuple[int, int]]:
    """Lines of page furniture (today's date on the site header) whose dates are not the article's."""
    spans, pos = [], 0
    for line in norm.split("\n"):
        if line.strip(" •:-\t").startswith(_CHROME):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _metadata(article: Article, norm: str, mentions: list[Mention]) -> tuple[str | None, str | None, Entity | None, str | None]:
    code = re.search(r"(?:کد\s*خبر|news\s*code|news\s*id)\s*[:：]?\s*(\d{3,})", norm)
    url = article.url or (m.group(1) if (m := re.search(r"(?:لینک\s*کوتاه|short\s*link|source\s*url)\s*[:：]?\s*(https?://\S+)", norm)) else None)
    # The publisher is the organisation the lead names ('به گزارش خبرنگار مهر', 'according to IRNA').
    publisher = None
    lead = re.search(r"(?:به\s*گزارش|according\s*to|reported\s*by|خبرنگار)\s+(?:خبرنگار\s+)?", norm)
    if lead:
        media = [m for m in mentions if m.entity.kind == "org" and lead.end() <= m.start <= lead.end() + 12]
        publisher = media[0].entity if media else None
    title = article.title
    if not title:
        # a headline: a short opening line that is not page furniture, a news code, a date, a kicker or quote
        # (':') or a sentence of the body (ends in '.')
        lines = [ln.strip() for ln in article.text.split("\n")[:12]]
        title = next((ln for ln in lines if 10 <= len(ln) <= 200 and not ln.strip(" •:-\t").startswith(_CHROME)
                      and not re.search(r"کد\s*خبر|news\s*code|:|[.!?؟]$|^[\d\W]+$|^published", ln, re.I)
                      and not find_dates(fold(ln))), None)
    return (code.group(1) if code else None), url, publisher, title


def analyse(article: Article, gaz: Gazetteer, cue_folder: str | None = None) -> Analysis:
    cues = compiled(cue_folder) if cue_folder else compiled()
    norm = normalise(article.text)
    mentions = find_mentions(norm.text, gaz, article.language, article.text, norm.span)
    pub = publication_date(norm.text)
    if pub is None and article.html_date:
        pub = DateMention(0, 0, article.html_date, "day", None, False, "from the page's markup (htmldate)")
    pub_day = dt.date.fromisoformat(pub.value) if pub is not None else None
    chrome = _chrome_spans(norm.text)
    anchor = None if pub_day else anchor_year(norm.text)
    dates = [d for d in find_dates(norm.text, pub_day, anchor) if not any(a <= d.start < b for a, b in chrome)]
    code, url, publisher, title = _metadata(article, norm.text, mentions)
    slug_base = publisher.iri.rsplit("/", 1)[-1] if publisher else "article"
    doc_id = f"{slug_base}-{code}" if code else f"{slug_base}-{hashlib.sha1(norm.text.encode()).hexdigest()[:10]}"
    printed = norm.text[pub.start:pub.end] if pub and pub.end > pub.start else None
    printed_src = article.text[slice(*norm.span(pub.start, pub.end))] if printed else None
    doc = Document(doc_id, article.language, title, publisher, article.site, code, url, pub, printed_src,
                   f"texts/{doc_id}.txt")
    home = home_city(mentions, gaz)
    a = Analysis(article, norm, doc, home, mentions, dates)
    spans = rules.sentences(norm.text)
    found: list[rules.Candidate] = []
    for span in spans:
        if any(s <= span[0] < e for s, e in chrome):
            continue
        found += rules.agreements(norm.text, span, mentions, home, cues, pub, dates)
        found += rules.memberships(norm.text, span, mentions, home, cues)
        found += figures(norm.text, span, mentions, home, cues, pub, gaz.entities)
        found += rules.events(norm.text, span, mentions, cues, dates, publisher)
    found += rules.tenures(norm.text, spans, mentions, cues)
    found += rules.speaker_posts(norm.text, spans, mentions, cues, found)
    people, a.proposed = new_people(article.text, norm, spans, mentions, gaz, cues["title_words"], article.language)
    found += people
    a.candidates = _merge(found)
    return a


def _merge(found: list[rules.Candidate]) -> list[rules.Candidate]:
    """One candidate per fact; the other sentences saying it become further attestations."""
    merged: dict[tuple, rules.Candidate] = {}
    for c in found:
        key = c.identity()
        if key in merged:
            first = merged[key]
            first.confidence = max(first.confidence, c.confidence)
            if c.sentence != first.sentence and c.sentence not in first.quotes:
                first.quotes.append(c.sentence)
        else:
            merged[key] = c
    return list(merged.values())


def render(a: Analysis, gaz: Gazetteer, previous: dict[str, str] | None = None) -> str:
    w = Writer(a.doc, a.article.text, a.norm.span, gaz, previous)
    printed = {d: a.article.text[slice(*a.norm.span(d.start, d.end))] for d in a.dates}
    if a.doc.published is not None:
        printed[a.doc.published] = a.doc.published_text
    w.document()
    for e in a.new_entities:
        w.entity(e)
    for c in a.candidates:
        w.candidate(c, printed)
    header = (f"# Draft written by `cdkg intake` from {a.article.source}.\n"
              "# Every node is a candidate (cd:reviewStatus cdc:review-candidate): it is not built or published until a\n"
              "# curator checks it against the quote and sets cdc:review-accepted (or cdc:review-rejected). See docs/intake.md.\n"
              "# Offsets (cd:textStart/cd:textEnd) count characters in the stored text named by cd:textFile.\n")
    return w.render(header)


@dataclass
class Outcome:
    path: Path
    analysis: Analysis
    written: bool


def intake(arg: str, settings: Settings | None = None, force: bool = False, gaz: Gazetteer | None = None) -> Outcome:
    settings = settings or Settings()
    article = read_article(arg)
    gaz = gaz or load_gazetteer(settings)
    a = analyse(article, gaz)
    folder = settings.data_dir / ARTICLES
    path = folder / f"{a.doc.doc_id}.ttl"
    text_path = folder / a.doc.text_file
    old = path.read_text(encoding="utf-8") if path.exists() else None
    content = render(a, gaz, decisions(old) if old else None)
    if old is not None:
        content = replay(content, old, a.doc.doc_id)  # the curator's recorded decisions, applied again
        if old == content:
            return Outcome(path, a, False)
        if edited_by_hand(old) and not force:
            raise IntakeError(f"{path}: the draft was edited by hand since intake wrote it; run again with --force "
                              "to rewrite it (the decisions recorded by /curate are kept, other edits are lost)")
    text_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_text, tmp = text_path.with_suffix(".txt.tmp"), path.with_suffix(".ttl.tmp")
    tmp_text.write_text(article.text, encoding="utf-8", newline="")
    tmp.write_text(content, encoding="utf-8")
    tmp_text.replace(text_path)
    tmp.replace(path)
    return Outcome(path, a, True)
