"""Fixtures for the summarizer tests: the tiny random Llama and the local stand-in server."""

from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401
from secondbrain_assets_tests.core.summarize.servers import stand_in  # noqa: F401
