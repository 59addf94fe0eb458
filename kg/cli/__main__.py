"""`python -m kg.cli` runs `cdkg`."""
from kg.cli.main import app

app()
