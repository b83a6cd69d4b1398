"""The join of heuristic and LLM scores follows the contract; documents are stable."""

from __future__ import annotations

import polars as pl

from secondbrain_assets.core.store.documents import iter_documents, join_scores


def _heuristic(passes: list[bool]) -> pl.DataFrame:
    n = len(passes)
    return pl.DataFrame(
        {
            "doc_id": [f"{i:032x}" for i in range(n)],
            "export_key": ["A"] * n,
            "source": ["web"] * n,
            "title": ["t"] * n,
            "url": ["https://example.org/"] * n,
            "parent_id": [None] * n,
            "content": ["text"] * n,
            "content_hash": ["h"] * n,
            "n_chars": [4] * n,
            "heuristic_score": [0.5] * n,
            "failed_rules": [[] for _ in range(n)],
            "heuristic_pass": passes,
        },
        schema_overrides={"parent_id": pl.String},
    )


def _llm(rows: list[tuple[str, float | None, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "export_key": ["A"] * len(rows),
            "llm_score": [r[1] for r in rows],
            "llm_status": [r[2] for r in rows],
            "llm_error": [None if r[2] == "ok" else "timeout" for r in rows],
        },
        schema_overrides={"llm_score": pl.Float64, "llm_error": pl.String},
    )


def test_quality_score_and_status_per_contract() -> None:
    heuristic = _heuristic([False, True, True, True])
    llm = _llm([(f"{1:032x}", 0.8, "ok"), (f"{2:032x}", None, "error")])  # id 3: no LLM row
    joined = join_scores(heuristic, llm).sort("doc_id")
    assert joined.height == 4  # every heuristic row is kept
    assert joined["quality_score"].to_list() == [0.0, 0.8, None, None]
    assert joined["quality_status"].to_list() == [
        "rejected_by_heuristics",
        "scored",
        "llm_error",
        "llm_error",
    ]


def test_empty_llm_frame_is_accepted() -> None:
    empty = pl.DataFrame(schema={"doc_id": pl.String, "export_key": pl.String})
    joined = join_scores(_heuristic([True, False]), empty)
    assert joined["quality_status"].to_list() == ["llm_error", "rejected_by_heuristics"]


def test_documents_are_deterministic_and_deduplicated() -> None:
    heuristic = _heuristic([True, True])
    llm = _llm([(f"{0:032x}", 0.5, "ok"), (f"{1:032x}", 0.6, "ok")])
    joined = join_scores(heuristic, llm)
    twice = pl.concat([joined, joined])
    docs = list(iter_documents(twice))
    assert [d["_id"] for d in docs] == [f"{0:032x}", f"{1:032x}"]
    again = list(iter_documents(join_scores(heuristic, llm)))
    assert [d["fingerprint"] for d in docs] == [d["fingerprint"] for d in again]
    assert docs[0]["quality"]["llm"]["llm_score"] == 0.5 and "exports" not in docs[0]
