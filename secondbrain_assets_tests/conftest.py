"""Shared test set-up: every test runs offline and writes only under its own temporary data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# No hub downloads at test time: models come from PyPI packages or are built locally.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SECONDBRAIN_DATA_DIR for one test."""
    root = tmp_path / "data"
    (root / "notion").mkdir(parents=True)
    monkeypatch.setenv("SECONDBRAIN_DATA_DIR", str(root))
    monkeypatch.delenv("SECONDBRAIN_NOTION_DIR", raising=False)
    return root
