"""All settings in one registry, read from CDKG_* environment variables (pydantic-settings)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.core.paths import data_dir, default_build_dir, ontology_dir, shapes_dir

CANONICAL_BASE = "https://w3id.org/cdkg/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CDKG_", extra="ignore")

    base_iri: str = Field(CANONICAL_BASE, description="Base of data, graph and ontology IRIs; deployers may rebase (must end with / or #).")
    build_dir: Path = Field(default_factory=default_build_dir, description="Where `cdkg build` writes the store and manifest.")
    data_dir: Path = Field(default_factory=data_dir, description="Folder of source folders, each with source.toml and Turtle files.")
    ontology_dir: Path = Field(default_factory=ontology_dir, description="Folder of the ontology (cdkg.ttl and imports/).")
    reasoner: str = Field("rules", description="'rules' (fast SPARQL rules on Oxigraph) or 'owlrl' (reference, slow).")
    query_timeout: float = Field(30.0, description="Seconds a SPARQL query may run in the service.")
    max_results: int = Field(100_000, description="Largest number of result rows the service returns.")
    host: str = Field("127.0.0.1", description="Address `cdkg serve` binds to.")
    port: int = Field(8000, description="Port `cdkg serve` listens on.")
    shapes_dir: Path = Field(default_factory=shapes_dir, description="Folder of the SHACL shapes (*.ttl) of the publication gate.")
    validate_max_bytes: int = Field(5_000_000, description="Largest body POST /validate accepts (bytes); larger answers 413.")
    validate_max_depth: int = Field(64, ge=1, description="Deepest bracket nesting accepted in an uploaded or contributed JSON-LD, Turtle or TriG file; deeper answers 400 before any parser runs.")
    validate_timeout: float = Field(20.0, gt=0, description="Seconds an upload may take to parse and validate in its worker process (POST /validate, Graph Store uploads); then the worker is killed and the answer is 422.")
    validate_memory_mb: int = Field(1024, ge=256, description="Memory (MB) an upload's worker process may add for parsing and validation (RLIMIT_DATA; opening the store's copy alone takes ~150 MB); past it the answer is 422.")
    validate_concurrency: int = Field(2, ge=1, description="Uploads parsed or validated at once (each in its own process); the next answers 503 with Retry-After.")
    release_dir: Path | None = Field(None, description="Where `cdkg publish` puts the release (default: <build_dir>/release).")
    # `cdkg publish --remote` (kg.release.remote): see docs/scale-out.md.
    remote_user: str | None = Field(None, description="User name for a remote store that asks for HTTP Basic or Digest authentication (`cdkg publish --remote`).")
    remote_password: SecretStr | None = Field(None, description="Password of CDKG_REMOTE_USER; never printed, never put in the URL.")
    remote_token: SecretStr | None = Field(None, description="Bearer token for a remote store (sent as `Authorization: Bearer`); never printed.")
    remote_timeout: float = Field(300.0, gt=0, description="Seconds one request to the remote store may take (each batch is one request).")
    remote_retries: int = Field(3, ge=0, description="Times a request to the remote store is retried after a transient error (timeout, reset, 502/503/504).")
    remote_batch_triples: int = Field(100_000, ge=1, description="Triples per request when a graph is sent to the remote store (PUT of the first batch, POST of the others).")
    remote_query_url: str | None = Field(None, description="The remote store's SPARQL query endpoint: if set, one COUNT per graph confirms which graphs need sending.")
    # Web service (api/): see docs/service.md.
    update_token: str | None = Field(None, description="Enables SPARQL Update and the Graph Store Protocol for requests bearing this token; unset = read-only.")
    curator: str | None = Field(None, max_length=100, description="The curator /curate records as the agent of every decision (PROV); unset = the user name of HTTP Basic, else the name typed on the page.")
    query_workers: int = Field(2, ge=0, description="Worker processes that evaluate SPARQL queries (killed on timeout); 0 = in-process, no hard timeout.")
    query_memory_mb: int = Field(2048, ge=0, description="Memory (anonymous RSS, MB) a query worker may use before its query is stopped (503); 0 = no limit.")
    query_queue_timeout: float = Field(10.0, gt=0, description="Seconds a query may wait for a free worker before it is refused (503); waiting is not run time.")
    query_reserve_seconds: float = Field(2.0, gt=0, description="Seconds a query may run on the reserve worker, which takes queries only while every other worker is busy.")
    max_query_nesting: int = Field(100, ge=1, description="Deepest nesting of { ( [ in a query or update; deeper is refused with 400 before it reaches the parser.")
    result_cache_mb: int = Field(64, ge=0, description="Memory for answers to repeated SPARQL queries, kept until the data changes (MB); 0 = off.")
    warm_network: bool = Field(True, description="Project the network for /explore in the background at start-up, so the first view does not wait seconds for it.")
    max_query_length: int = Field(100_000, description="Longest SPARQL query or update text accepted, in characters.")
    ui_assets_dir: Path = Field(default_factory=lambda: default_build_dir() / "ui-assets", description="Where the query UI's YASGUI files and the maps' country outlines (world-atlas) are installed (`cdkg ui-install`).")
    max_header_bytes: int = Field(16_384, ge=1024, description="Largest size of a request's headers in bytes (`cdkg serve`); more is 431 and the connection is closed.")
    max_headers: int = Field(100, ge=10, description="Most headers in one request (`cdkg serve`); more is 431.")
    federation_allow: str = Field("", description="SPARQL endpoint IRIs (space- or comma-separated) that SERVICE and LOAD may reach; empty = none: the server sends no request a client names.")
    # Serving from a remote SPARQL store instead of the embedded one (api/remote_store.py): see docs/scale-out.md.
    store_url: str | None = Field(None, description="SPARQL 1.1 query endpoint of a remote store the service reads instead of the embedded store (e.g. Virtuoso's http://127.0.0.1:8890/sparql-auth); credentials from CDKG_REMOTE_USER / CDKG_REMOTE_PASSWORD / CDKG_REMOTE_TOKEN.")
    store_update_url: str | None = Field(None, description="Graph Store Protocol endpoint of that remote store (e.g. http://127.0.0.1:8890/sparql-graph-crud-auth): writes through the service go there after the gate; unset = the remote is read-only through the service.")
    store_max_queries: int = Field(8, ge=1, description="Queries the service runs on the remote store at once (each holds a connection and a thread); one more waits up to CDKG_QUERY_QUEUE_TIMEOUT, then 503 with Retry-After.")
    store_max_mb: int = Field(256, ge=1, description="Largest answer (MB) the service reads from the remote store for one query; past it the answer is 502 and the query should be narrowed.")
    write_shapes_dir: Path | None = Field(None, description="SHACL shapes (folder of .ttl) writes must satisfy instead of the project's validation (kg.validation / shapes/).")

    @property
    def federation_endpoints(self) -> frozenset[str]:
        return frozenset(self.federation_allow.replace(",", " ").split())

    @property
    def store_dir(self) -> Path:
        return self.build_dir / "store"

    @property
    def manifest_path(self) -> Path:
        return self.build_dir / "manifest.json"

    def graph_iri(self, name: str) -> str:
        return f"{self.base_iri}graph/{name}"
