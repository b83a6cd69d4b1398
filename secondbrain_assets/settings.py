"""Every environment variable the platform reads, in one place. Plain Python: no Dagster import.

Everything lives under one data directory so a user can back it up or wipe it in one place.
`SECONDBRAIN_DATA_DIR` overrides it; the default is `data/` at the project root. Values are read
when called, not at import, so tests and step processes see the environment of the moment.
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


def models_dir() -> Path:
    """Converted model folders (the embedded SmolLM2); `SECONDBRAIN_MODELS_DIR` overrides."""
    override = os.environ.get("SECONDBRAIN_MODELS_DIR")
    return Path(override).expanduser() if override else cache_dir() / "models"


def sensor_settle_seconds() -> float:
    """How long an export must stay unchanged before the sensor takes it (still being copied)."""
    return float(os.environ.get("SECONDBRAIN_SENSOR_SETTLE_SECONDS", "5"))


def llm_backend() -> str:
    """`SECONDBRAIN_LLM_BACKEND`: 'embedded' (default), 'transformers' or 'ollama'."""
    return os.environ.get("SECONDBRAIN_LLM_BACKEND", "embedded")


def llm_model() -> str:
    """`SECONDBRAIN_LLM_MODEL`: a HF folder or an Ollama tag; empty means the backend's default."""
    return os.environ.get("SECONDBRAIN_LLM_MODEL", "")


def ollama_host() -> str | None:
    """`OLLAMA_HOST`, or None for the local default."""
    return os.environ.get("OLLAMA_HOST") or None


def ollama_num_parallel(default: int = 2) -> int:
    """`OLLAMA_NUM_PARALLEL`: how many requests the Ollama server runs at once."""
    value = os.environ.get("OLLAMA_NUM_PARALLEL", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def summarizer_backend() -> str:
    """`SECONDBRAIN_SUMMARIZER_BACKEND`: 'transformers' (default, embedded SmolLM2), 'ollama' or
    'openai' (any OpenAI-compatible chat endpoint)."""
    value = os.environ.get("SECONDBRAIN_SUMMARIZER_BACKEND", "").strip().lower()
    return value or "transformers"


def summarizer_model() -> str:
    """`SECONDBRAIN_SUMMARIZER_MODEL`: HF folder, Ollama tag or served model name; "" = default."""
    return os.environ.get("SECONDBRAIN_SUMMARIZER_MODEL", "").strip()


def openai_base_url() -> str:
    """`OPENAI_BASE_URL`: an OpenAI-compatible API root ending in /v1 (vLLM's default here)."""
    return os.environ.get("OPENAI_BASE_URL", "").strip() or "http://127.0.0.1:8000/v1"


def openai_api_key() -> str | None:
    """`OPENAI_API_KEY`, read when a summarizer is built, never put in run config or logs."""
    return os.environ.get("OPENAI_API_KEY", "").strip() or None


def mongodb_uri(variable: str = "MONGODB_URI") -> str:
    """The MongoDB URI from `variable`, stripped; "" selects the embedded store."""
    return os.environ.get(variable, "").strip()


def executor() -> str:
    """`SECONDBRAIN_EXECUTOR`: `multiprocess` (default, one machine) or `celery` (queues)."""
    return os.environ.get("SECONDBRAIN_EXECUTOR", "multiprocess").strip().lower() or "multiprocess"


def celery_broker() -> str:
    """`SECONDBRAIN_CELERY_BROKER`: Redis or RabbitMQ URL the Celery workers listen on."""
    return os.environ.get("SECONDBRAIN_CELERY_BROKER", "").strip() or "redis://127.0.0.1:6379/0"


def celery_backend() -> str:
    """`SECONDBRAIN_CELERY_BACKEND`: where workers report step results (default: broker db 1)."""
    value = os.environ.get("SECONDBRAIN_CELERY_BACKEND", "").strip()
    if value:
        return value
    broker = celery_broker()
    return broker.rsplit("/", 1)[0] + "/1" if broker.startswith("redis") else "rpc://"


def dagster_home() -> Path | None:
    """`DAGSTER_HOME`: the Dagster instance folder, or None when unset."""
    value = os.environ.get("DAGSTER_HOME", "").strip()
    return Path(value) if value else None


def quiet_crawl4ai() -> None:
    """Keep crawl4ai's cloud banner out of run logs (it reads this variable when it starts)."""
    os.environ.setdefault("CRAWL4AI_NO_CLOUD_NOTICE", "1")


def retrain_cron() -> str:
    """`SECONDBRAIN_RETRAIN_CRON`: one dataset + fine-tune run at most per tick (daily 03:00)."""
    return os.environ.get("SECONDBRAIN_RETRAIN_CRON", "").strip() or "0 3 * * *"


def retrain_min_summaries() -> int:
    """`SECONDBRAIN_RETRAIN_MIN_SUMMARIES`: new accepted summaries needed to rebuild and retrain."""
    value = os.environ.get("SECONDBRAIN_RETRAIN_MIN_SUMMARIES", "").strip()
    return int(value) if value.isdigit() else 50
