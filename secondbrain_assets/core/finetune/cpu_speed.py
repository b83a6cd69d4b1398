"""Two things that make LoRA training on CPU faster without changing what is learned.

- Precision: bf16 autocast (TRL's own default, which this project used to switch off on CPU) where
  the CPU computes bf16 natively (AMX or AVX512-BF16: oneDNN runs the matmuls several times
  faster than fp32); fp32 elsewhere, where bf16 would only be emulated and slower.
- Loss on the completion only: TRL 1.16's fused LM head projects only the positions that carry a
  label on CUDA, but every position elsewhere (to keep tile shapes fixed for compilers that CPUs
  do not use). Summaries train on long prompts and short answers, so on CPU ~90% of that
  vocabulary-wide work was for masked-out prompt tokens. `labeled_positions_only()` makes the CPU
  path score the labeled positions, as CUDA does; the loss is the same number.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Literal

Precision = Literal["auto", "bf16", "fp32"]


def native_bf16_cpu() -> bool:
    """True where the CPU has bf16 instructions (AMX tiles or AVX512-BF16)."""
    import torch

    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def resolve_precision(precision: str, use_cpu: bool) -> str:
    """'bf16' or 'fp32' for this machine; 'auto' picks bf16 only where it is native."""
    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"precision must be 'auto', 'bf16' or 'fp32', not {precision!r}")
    if precision != "auto":
        return precision
    import torch

    if not use_cpu and torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if native_bf16_cpu() else "fp32"


@contextlib.contextmanager
def labeled_positions_only() -> Iterator[bool]:
    """While active, TRL's fused LM head scores only labeled positions on CPU too.

    Yields False (and changes nothing) on a TRL without that switch: training stays correct,
    only slower."""
    try:
        from trl.trainer import utils as trl_utils
    except ImportError:
        yield False
        return
    original = getattr(trl_utils, "_use_triton", None)
    if original is None:
        yield False
        return

    def compact_on_cpu(device) -> bool:
        return device.type == "cpu" or original(device)

    trl_utils._use_triton = compact_on_cpu
    try:
        yield True
    finally:
        trl_utils._use_triton = original
