"""`cdkg intake ARTICLE`: propose candidate facts from a news article into a draft for review."""
from __future__ import annotations

from collections import Counter

import typer

from kg.cli.console import err, fail, out
from kg.core import CdkgError, Settings


def intake_command(
    article: str = typer.Argument(..., help="A saved HTML page, a text file, or an http(s) URL (fetched only then)."),
    force: bool = typer.Option(False, "--force", help="Overwrite a draft that was edited by hand since intake wrote it."),
) -> None:
    """Read a news article and write its candidate facts to data/articles/<doc-id>.ttl for a curator to review."""
    from kg.intake import intake  # imported on use: `cdkg --help` stays fast

    from kg.dataset import is_stale

    settings = Settings()
    if settings.store_dir.is_dir() and is_stale(settings):  # checked before the draft itself changes data/
        err.print("[yellow]warning:[/yellow] the build is older than the data: names added since are unknown to the "
                  "matcher; run `cdkg build` first", highlight=False, soft_wrap=True)
    try:
        outcome = intake(article, settings, force=force)
    except CdkgError as exc:
        fail(exc)
    a = outcome.analysis
    counts = Counter(c.kind for c in a.candidates)
    summary = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items())) or "no candidate facts"
    state = "wrote" if outcome.written else "unchanged"
    pub = a.doc.published.value if a.doc.published else "no date printed"
    out.print(f"{state} {outcome.path} ({a.doc.language}, {pub}, home city "
              f"{a.home.iri.rsplit('/', 1)[-1] if a.home else 'unknown'}): {summary}; "
              f"{len(a.new_entities)} new entit{'y' if len(a.new_entities) == 1 else 'ies'} proposed", highlight=False, soft_wrap=True)
    if outcome.written:
        err.print("every statement is a candidate (cd:reviewStatus cdc:review-candidate) and is not built or published "
                  "until a curator accepts it; see docs/intake.md", highlight=False, soft_wrap=True)
