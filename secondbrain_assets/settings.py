"""Where the platform keeps its files. Plain Python: no Dagster import.

Everything lives under one data directory so a user can back it up or wipe it in one place.
`SECONDBRAIN_DATA_DIR` overrides it; the default is `data/` at the project root.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Root of all data the platform reads and writes."""
    return Path(os.environ.get("SECONDBRAIN_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def notion_exports_dir() -> Path:
    """Folder the sensor watches for Notion exports (zips or unzipped folders)."""
    override = os.environ.get("SECONDBRAIN_NOTION_DIR")
    return Path(override).resolve() if override else data_dir() / "notion"


def assets_dir() -> Path:
    """Parquet files of the partitioned assets, one file per asset and partition."""
    return data_dir() / "assets"


def cache_dir() -> Path:
    """Caches shared across partitions and runs (crawl results, LLM answers, models)."""
    return data_dir() / "cache"
