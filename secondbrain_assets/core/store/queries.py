"""MongoDB filters the store's checks and readers share, so query syntax stays out of `defs/`."""

from __future__ import annotations

from typing import Any

from secondbrain_assets.core.store.documents import STATUS_LLM_ERROR

# `$in: [None]` (null or missing), not `quality_score: None`: the same meaning in MongoDB, but
# nx-27017 0.8.1 misses values set to null by `$set` with the latter (seen here).
NO_SCORE: dict[str, Any] = {"quality_score": {"$in": [None]}}


def in_export(export_key: str) -> dict[str, Any]:
    """Documents that belong to one export (a document may belong to several).

    `$in: [key]`, not `exports: key`: with the `exports_1` index nx-27017 0.8.1 answers the plain
    array-membership form with nothing (issue 9), which hid stale pages and miscounted checks.
    """
    return {"exports": {"$in": [export_key]}}


def unscored_in_export(export_key: str) -> dict[str, Any]:
    """Documents of the export without a quality score, whatever the reason."""
    return {**in_export(export_key), **NO_SCORE}


def llm_errors_in_export(export_key: str) -> dict[str, Any]:
    """Documents of the export left without a score because the LLM failed on them."""
    return {**unscored_in_export(export_key), "quality_status": STATUS_LLM_ERROR}
