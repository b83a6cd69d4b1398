"""Trainer choice: decided from CUDA and find_spec, never by importing unsloth."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from secondbrain_assets.core.finetune.backend import BackendError, select_backend


@pytest.fixture
def booby_trapped_unsloth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `unsloth` package on sys.path whose import fails loudly: selecting must not import it."""
    package = tmp_path / "unsloth"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('unsloth was imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    return package


def test_cuda_with_unsloth_installed_picks_unsloth_without_importing_it(
    booby_trapped_unsloth: Path,
) -> None:
    assert select_backend("auto", cuda=True, trl_version="1.15.0") == "unsloth"
    assert "unsloth" not in sys.modules


def test_cpu_picks_trl_even_when_unsloth_is_installed(booby_trapped_unsloth: Path) -> None:
    assert select_backend("auto", cuda=False, trl_version="1.16.0") == "trl"
    assert "unsloth" not in sys.modules


def test_cuda_without_unsloth_falls_back_to_trl() -> None:
    assert select_backend("auto", cuda=True, has_unsloth=False, trl_version="1.16.0") == "trl"


def test_unsloth_requested_on_cpu_says_what_to_do() -> None:
    with pytest.raises(BackendError, match="needs a CUDA GPU.*backend='auto' or 'trl'"):
        select_backend("unsloth", cuda=False, has_unsloth=True)


def test_unsloth_requested_but_missing_names_the_extra() -> None:
    with pytest.raises(BackendError, match=r"\.\[unsloth\]"):
        select_backend("unsloth", cuda=True, has_unsloth=False)


def test_trl_1_15_0_never_runs_the_cpu_path() -> None:
    with pytest.raises(BackendError, match="trl 1.15.0 cannot train on CPU"):
        select_backend("auto", cuda=False, has_unsloth=False, trl_version="1.15.0")
    with pytest.raises(BackendError, match="trl 1.15.0"):
        select_backend("trl", cuda=False, has_unsloth=True, trl_version="1.15.0")


def test_this_machine_trains_with_trl() -> None:
    """Real probes: no CUDA here, the installed trl is the tested CPU one."""
    assert select_backend("auto") == "trl"
    assert "unsloth" not in sys.modules


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(BackendError, match="Unknown backend"):
        select_backend("deepspeed", cuda=False, has_unsloth=False, trl_version="1.16.0")
