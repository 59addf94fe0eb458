"""`cdkg validate`, `cdkg publish`: the SHACL gate and the release behind it."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from kg.cli.console import err, fail as _fail, out
from kg.core import CdkgError, Settings


def validate(
    files: list[Path] = typer.Argument(None, help="data files to check as a contribution (default: the whole build)"),
    fmt: str = typer.Option("text", "--format", "-f", help="text, turtle (sh:ValidationReport), json or junit"),
    fail_on: str = typer.Option("violation", "--fail-on", help="violation (default) or warning: what makes the exit code 1"),
    output: Path = typer.Option(None, "--output", "-o", help="file to write the report to (default: stdout)"),
    engine: str = typer.Option("fast", help="fast (shapes compiled to SPARQL on Oxigraph) or pyshacl (reference)"),
    standalone: bool = typer.Option(False, help="check FILES on their own (with the ontology) instead of against the build"),
) -> None:
    """Check data against the SHACL shapes. Exit 0: conforms; 1: Violations (or Warnings with --fail-on warning); 2: error."""
    from kg.validation import render, summary
    from kg.validation import validate_build, validate_files

    settings = Settings()
    try:
        if fail_on not in ("violation", "warning"):
            raise CdkgError(f"--fail-on must be 'violation' or 'warning', not '{fail_on}'")
        report = (validate_files(files, settings, engine, context=not standalone) if files
                  else validate_build(settings, engine))
        text = render(report, fmt, fail_on, settings.base_iri)
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"{summary(report)} -> {output}", highlight=False)
        else:
            sys.stdout.write(text)
    except (CdkgError, OSError) as exc:
        _fail(exc)
    raise typer.Exit(1 if report.fails(fail_on) else 0)


def publish(
    release_dir: Path = typer.Option(None, "--release-dir", help="where the release appears (default: <build>/release)"),
    remote: str = typer.Option(None, "--remote", help="SPARQL 1.1 Graph Store Protocol endpoint to update, e.g. http://127.0.0.1:7878/store; credentials from CDKG_REMOTE_USER/CDKG_REMOTE_PASSWORD or CDKG_REMOTE_TOKEN, never in the URL"),
) -> None:
    """Build, reason, validate; only with no Violation write the release (and update the remote store)."""
    from kg.release import PublishBlocked, publish as publish_release
    from kg.validation import summary, to_text

    settings = Settings()
    try:
        result = publish_release(settings, release_dir, remote)
    except PublishBlocked as exc:
        err.print(to_text(exc.report, settings.base_iri), highlight=False, markup=False, soft_wrap=True)
        err.print(f"[red]blocked:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    except (CdkgError, OSError) as exc:
        _fail(exc)
    out.print(f"published {result.manifest['quads']} quads in {len(result.manifest['graphs'])} graphs -> {result.release} "
              f"({summary(result.report)})", highlight=False, soft_wrap=True)
    if result.remote:
        table = Table("graph", "change", "triples", "before", title=f"remote {remote} ({result.seconds.get('remote', 0):.1f} s)",
                      title_justify="left")
        for c in result.remote:
            table.add_row(c.graph, c.status, str(c.triples), "?" if c.before is None else str(c.before))
        out.print(table)
