"""Resources and IO managers, declared once for the whole code location, with embedded defaults.

Nothing here needs a server: without MONGODB_URI the store is an embedded nx-27017, and without
SECONDBRAIN_LLM_BACKEND the judge is the embedded content judge (no model, no server).
Environment variables are read through `settings`, never here.
"""

from __future__ import annotations

import dagster as dg

from secondbrain_assets import settings
from secondbrain_assets.io.huggingface import HuggingFaceIOManager
from secondbrain_assets.io.mongo import MongoIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.crawler import CrawlerResource
from secondbrain_assets.resources.llm import LLMResource
from secondbrain_assets.resources.mongo import MongoResource


def _llm_from_env() -> LLMResource:
    # Not secrets, so plain values: they show in the UI's resource config, which helps debugging.
    return LLMResource(
        backend=settings.llm_backend(),
        model=settings.llm_model(),
        ollama_host=settings.ollama_host(),
        summarizer_backend=settings.summarizer_backend(),
        summarizer_model=settings.summarizer_model(),
        openai_base_url=settings.openai_base_url(),
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
        # Datasets and model folders; publishing to the Hub is off unless configured per asset.
        "hf_io_manager": HuggingFaceIOManager(),
    }


@dg.definitions
def resources() -> dg.Definitions:
    """Picked up by the `defs/` autoloading and merged into the code location."""
    return dg.Definitions(resources=build_resources())
