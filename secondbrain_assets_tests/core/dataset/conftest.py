from secondbrain_assets_tests.core.llm.fixtures import (  # noqa: F401
    smollm2_models_root,
    tiny_llama_dir,
)
