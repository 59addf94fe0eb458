"""`cdkg serve`, `cdkg ui-install`: the web service and its query UI."""
from __future__ import annotations

import subprocess
import sys

import typer

from kg.cli.console import err, fail as _fail, out
from kg.core import CdkgError, Settings
from kg.dataset import is_stale


def serve(host: str = typer.Option(None), port: int = typer.Option(None),
          rebuild: bool = typer.Option(False, help="rebuild even if the build is up to date")) -> None:
    """Build if needed, then run the web service (SPARQL endpoint) with uvicorn."""
    import uvicorn

    from api import create_app

    settings = Settings(**{k: v for k, v in (("host", host), ("port", port)) if v is not None})
    try:
        stale = not settings.store_url and (rebuild or is_stale(settings))  # a remote store is built elsewhere
    except CdkgError as exc:
        _fail(exc)
    if stale:
        # In a child process: building the full graph peaks near 1 GB, which a long-running server
        # would otherwise keep (RSS 1.2 GB after build-then-serve vs 0.37 GB serving the built store).
        done = subprocess.run([sys.executable, "-m", "kg.cli", "build"], check=False)
        if done.returncode:
            raise typer.Exit(done.returncode)
    from api import ensure_ui_assets

    from kg.network import ensure_basemap

    # The first serve installs the query UI and the maps' country outlines (npm); never fatal.
    for notice in (ensure_ui_assets(settings.ui_assets_dir), ensure_basemap(settings.ui_assets_dir)):
        if notice:
            err.print(f"[yellow]notice:[/yellow] {notice}", highlight=False, soft_wrap=True)
    err.print(f"serving on http://{settings.host}:{settings.port}/  (SPARQL at /sparql)")
    from api import limited_protocol

    # Stopping (Ctrl-C, SIGTERM) waits for answers in flight at most a few seconds, not a long query's limit.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                http=limited_protocol(settings.max_header_bytes, settings.max_headers), timeout_graceful_shutdown=5)


def ui_install() -> None:
    """Install the query UI (YASGUI) and the maps' country outlines (world-atlas) from the npm registry
    into the UI assets folder (needs npm)."""
    from api import UI_PACKAGE as PACKAGE, UI_VERSION as VERSION, install_ui_assets as install
    from kg.network import BASEMAP_PACKAGE as MAP_PACKAGE, BASEMAP_VERSION as MAP_VERSION, install_basemap

    settings = Settings()
    try:
        folder = install(settings.ui_assets_dir)
        install_basemap(settings.ui_assets_dir)
    except CdkgError as exc:
        _fail(exc)
    out.print(f"installed {PACKAGE}@{VERSION} and {MAP_PACKAGE}@{MAP_VERSION} -> {folder}")
