"""What every `cdkg` command prints through: the stdout and stderr consoles, and the one-line error exit."""
from __future__ import annotations

import typer
from rich.console import Console

out = Console()
err = Console(stderr=True)


def fail(exc: Exception) -> None:
    """One line naming the problem, exit code 2 (bad input or a build that cannot be read)."""
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)
