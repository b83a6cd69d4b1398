from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401
