"""Store fixtures for core/store tests: every test runs on each engine (see engines.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pymongo.collection import Collection

from secondbrain_assets_tests.core.store.engines import ENGINES, fresh_collection, running_store


@pytest.fixture(scope="module", params=ENGINES)
def store_uri(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """nx-27017, SecantusDB, and a real MongoDB when MONGODB_URI is set."""
    with running_store(request.param, tmp_path_factory) as uri:
        yield uri


@pytest.fixture
def collection(store_uri: str) -> Iterator[Collection]:
    with fresh_collection(store_uri) as coll:
        yield coll
