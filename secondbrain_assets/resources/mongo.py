"""`mongo` resource: a pymongo client for MONGODB_URI, or for an embedded nx-27017 when unset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import Field
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import ConnectionFailure, OperationFailure, ServerSelectionTimeoutError

from secondbrain_assets import settings
from secondbrain_assets.core.store.embedded_server import Nx27017Server
from secondbrain_assets.core.store.uri import redact_uri, scrub, uri_hosts


class StoreUnavailableError(ConnectionError):
    """The document store cannot be reached; the message names the host, never the password."""


class MongoResource(dg.ConfigurableResource):
    """MongoDB through pymongo. With `uri` empty, starts nx-27017 under `<data dir>/store`.

    `uri` left out (None) reads the variable named by `uri_env_var` (MONGODB_URI) at run time,
    so an unset variable selects the embedded store instead of failing like an unset
    `dg.EnvVar` does; `uri=dg.EnvVar("MONGODB_URI")` also works when the variable is set (even
    empty). An empty URI selects the embedded server, started per use and stopped by PID when
    the `with` block ends.
    """

    uri: str | None = Field(
        default=None,
        description="mongodb:// or mongodb+srv:// URI; empty = embedded nx-27017; "
        "unset = read the `uri_env_var` environment variable",
    )
    uri_env_var: str = Field(default="MONGODB_URI", description="Used when `uri` is unset")
    database: str = Field(default="secondbrain", description="Database name")
    collection: str = Field(default="documents", description="Collection of scored documents")
    embedded_data_dir: str | None = Field(
        default=None, description="Data dir of the embedded store (default <data dir>/store)"
    )
    server_selection_timeout_ms: int = Field(
        default=5000, description="How long to look for a reachable server before failing"
    )
    connect_timeout_ms: int = Field(default=5000, description="Time limit to open a connection")
    socket_timeout_ms: int = Field(
        default=120_000, description="Time limit of one operation on an open connection"
    )

    @property
    def resolved_uri(self) -> str:
        """The URI in use; "" means the embedded store."""
        return self.uri.strip() if self.uri is not None else settings.mongodb_uri(self.uri_env_var)

    @property
    def is_embedded(self) -> bool:
        return not self.resolved_uri

    def describe(self) -> str:
        """Where the store is, safe for logs and metadata."""
        return "embedded nx-27017" if self.is_embedded else redact_uri(self.resolved_uri)

    def _connect(self, uri: str) -> MongoClient:
        client: MongoClient = MongoClient(
            uri,
            serverSelectionTimeoutMS=self.server_selection_timeout_ms,
            connectTimeoutMS=self.connect_timeout_ms,
            socketTimeoutMS=self.socket_timeout_ms,
            appname="secondbrain_assets",
        )
        try:
            client.admin.command("ping")
        except (ServerSelectionTimeoutError, ConnectionFailure, OperationFailure) as err:
            client.close()
            raise StoreUnavailableError(
                f"Cannot connect to MongoDB at {uri_hosts(uri)} ({redact_uri(uri)}): "
                f"{type(err).__name__}: {scrub(str(err), uri)[:300]}. Check MONGODB_URI and that "
                "the server is up (`docker compose -f docker/compose.yaml up -d mongodb`), or "
                "unset MONGODB_URI to use the embedded store."
            ) from None  # the driver's traceback may repeat the URI
        return client

    @contextmanager
    def get_client(self) -> Iterator[MongoClient]:
        """A connected client; the embedded server (if any) lives as long as the block."""
        if not self.is_embedded:
            client = self._connect(self.resolved_uri)
            try:
                yield client
            finally:
                client.close()
            return
        data_dir = Path(self.embedded_data_dir) if self.embedded_data_dir else None
        with Nx27017Server(data_dir) as server:
            client = self._connect(server.uri)
            try:
                yield client
            finally:
                client.close()

    @contextmanager
    def get_collection(self) -> Iterator[Collection]:
        """The configured collection, connected."""
        with self.get_client() as client:
            yield client[self.database][self.collection]
