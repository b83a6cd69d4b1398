"""Which trainer runs: TRL + PEFT on CPU (or CUDA), unsloth on CUDA when it is installed.

The decision is made from `torch.cuda.is_available()` and `importlib.util.find_spec`, *before*
anything imports unsloth: its import succeeds on CPU, patches transformers and trl globally,
and then training fails because its kernels are GPU-only.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from typing import Literal

Chosen = Literal["trl", "unsloth"]

# trl 1.15.0 (the newest unsloth allows) breaks SFTTrainer on CPU; 1.16 is the tested CPU set.
BROKEN_CPU_TRL = {"1.15.0"}
UNSLOTH_HINT = (
    "Install the optional extra on a CUDA machine (`pip install -e '.[unsloth]'`, in its own "
    "virtual environment: it pins older transformers/trl/datasets), or set backend='trl'."
)


class BackendError(RuntimeError):
    """The requested trainer cannot run here; the message says what to do instead."""


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def unsloth_installed() -> bool:
    """True when unsloth can be imported, without importing it (find_spec of a top-level name
    only looks at the path; it runs none of the package's code)."""
    return importlib.util.find_spec("unsloth") is not None


def select_backend(
    requested: str = "auto",
    *,
    cuda: bool | None = None,
    has_unsloth: bool | None = None,
    trl_version: str | None = None,
) -> Chosen:
    """'unsloth' on CUDA when installed (or asked for), else 'trl'; refuses what cannot work."""
    cuda = cuda_available() if cuda is None else cuda
    has_unsloth = unsloth_installed() if has_unsloth is None else has_unsloth
    if requested not in ("auto", "trl", "unsloth"):
        raise BackendError(f"Unknown backend {requested!r}; use 'auto', 'trl' or 'unsloth'.")
    if requested == "unsloth" or (requested == "auto" and cuda and has_unsloth):
        if not cuda:
            raise BackendError(
                "backend='unsloth' needs a CUDA GPU (torch.cuda.is_available() is False here); "
                "use backend='auto' or 'trl' to train on CPU with TRL + PEFT."
            )
        if not has_unsloth:
            raise BackendError(f"backend='unsloth' but unsloth is not installed. {UNSLOTH_HINT}")
        return "unsloth"
    version = trl_version if trl_version is not None else _trl_version()
    if not cuda and version in BROKEN_CPU_TRL:
        raise BackendError(
            f"trl {version} cannot train on CPU (its SFTTrainer fails there). Install the "
            "tested version from constraints.txt (`pip install -c constraints.txt trl`); "
            "the unsloth extra belongs in a separate CUDA environment."
        )
    return "trl"


def _trl_version() -> str:
    try:
        return importlib.metadata.version("trl")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BackendError(
            "trl is not installed: `pip install -c constraints.txt -e '.[llm]'`."
        ) from exc
