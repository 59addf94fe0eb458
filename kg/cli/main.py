"""`cdkg`: thin command-line wrappers over the library, one module per command group."""
from __future__ import annotations

import typer

from kg.cli import data, gate, intake, network, query, service
from kg.cli.analyze import app as analyze_app

app = typer.Typer(help="City Diplomacy Knowledge Graph toolkit.", no_args_is_help=True, add_completion=False)
app.add_typer(analyze_app, name="analyze")
app.command()(data.build)
app.command()(query.query)
app.command()(query.report)
app.command("queries")(query.list_queries)
app.command()(data.stats)
app.command()(data.export)
app.command()(network.network)
app.command()(network.viz)
app.command()(service.serve)
app.command("ui-install")(service.ui_install)
app.command()(gate.validate)
app.command()(gate.publish)
app.command("intake")(intake.intake_command)


if __name__ == "__main__":
    app()
