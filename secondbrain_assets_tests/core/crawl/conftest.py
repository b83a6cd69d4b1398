from __future__ import annotations

from collections.abc import Iterator

import pytest

from secondbrain_assets_tests.core.crawl.site import Site


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site(slow_s=3.0).start()
    yield server
    server.stop()
