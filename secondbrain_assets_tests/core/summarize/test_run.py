"""summarize_documents end to end against the OpenAI-compatible stand-in: slots and seeds,
retries with the next seed, rows per attempt, and the cache (0 calls on an unchanged re-run)."""

from __future__ import annotations

from pathlib import Path

from secondbrain_assets.core.summarize import filters
from secondbrain_assets.core.summarize.cache import GenerationCache
from secondbrain_assets.core.summarize.http_backends import OpenAISummarizer
from secondbrain_assets.core.summarize.run import (
    SummaryDocument,
    SummarySettings,
    summarize_documents,
)
from secondbrain_assets_tests.core.llm.fixtures import GOOD_DOC
from secondbrain_assets_tests.core.summarize.servers import Reply, StandIn

GOOD = "TCP senders cap in-flight data with a congestion window that grows until loss, then halves."
DOCS = [
    SummaryDocument("a" * 32, "export-1", "notion", "TCP", GOOD_DOC, "h1", 0.9),
    SummaryDocument("b" * 32, "export-1", "web", "BBR", GOOD_DOC.replace("TCP", "QUIC"), "h2", 0.8),
]


def _scripted(request) -> Reply:
    """Seeds 100 and 101 run long (over budget), the others answer well, except the second
    document's seeds 200.. which always run past the token cap."""
    if "QUIC" in request.document and request.seed >= 200:
        return Reply("QUIC " * 200, finished=False)
    if request.seed in (100, 101):
        return Reply(GOOD + " And more. " * 40)
    return Reply(GOOD.replace("TCP", "QUIC") if "QUIC" in request.document else GOOD)


def _run(server: StandIn, tmp_path: Path, **overrides):
    backend = OpenAISummarizer(server.url + "/v1", "summarizer-7b")
    cache = GenerationCache(backend.name, backend.model_id, "v-test", tmp_path / "gen.sqlite")
    settings = SummarySettings(**{"temperatures": (0.0, 0.25, 0.5), "retries": 3, **overrides})
    try:
        return summarize_documents(backend, DOCS, cache, settings)
    finally:
        cache.close()
        backend.close()


def test_retries_use_the_next_seed_and_every_attempt_is_a_row(
    stand_in: StandIn,
    tmp_path: Path,
) -> None:
    stand_in.reply = _scripted
    run = _run(stand_in, tmp_path)
    rows = {(r["doc_id"][0], r["temperature"], r["attempt"]): r for r in run.rows}
    # Document a, temperature 0.25 (seeds 100..): two answers over budget, the third kept.
    tries = [rows[("a", 0.25, k)] for k in range(3)]
    assert [(r["seed"], r["status"]) for r in tries] == [
        (100, "rejected"),
        (101, "rejected"),
        (102, "ok"),
    ]
    assert tries[0]["reject_reason"] == filters.OVER_BUDGET and ("a", 0.25, 3) not in rows
    # Document b at temperature 0.5: seeds 200..203 all over budget, then given up (K = 3).
    attempts = [rows[("b", 0.5, k)] for k in range(4)]
    assert [r["seed"] for r in attempts] == [200, 201, 202, 203]
    assert {r["reject_reason"] for r in attempts} == {filters.OVER_BUDGET}
    assert ("b", 0.5, 4) not in rows
    # Temperature 0 is greedy: a retry would repeat the answer, so there is none.
    assert all(key[2] == 0 for key in rows if key[1] == 0.0)
    ok = [r for r in run.rows if r["status"] == "ok"]
    assert all(r["answer"] and r["n_answer_chars"] <= 256 for r in ok)
    assert {r["language"] for r in run.rows} == {"en"}
    assert run.generation_calls == stand_in.calls == len(run.rows)
    # What the model saw is the row's instruction, and the budget is in the prompt.
    assert all("at most 256 characters" in r.messages[-1]["content"] for r in stand_in.requests)
    shown = {r.document for r in stand_in.requests}
    assert shown == {r["instruction"] for r in run.rows} and len(shown) == 2


def test_unchanged_rerun_makes_no_generation_call(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.reply = _scripted
    first = _run(stand_in, tmp_path)
    calls = stand_in.calls
    second = _run(stand_in, tmp_path)
    assert second.generation_calls == 0 and stand_in.calls == calls
    assert second.cache_hits == len(first.rows)
    assert second.rows == first.rows
    # A new budget is a new prompt and a new token cap: generated again.
    third = _run(stand_in, tmp_path, budget_chars=200)
    assert third.generation_calls > 0 and stand_in.calls > calls


def test_server_errors_are_rows_but_never_cached(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.reply = lambda r: Reply(status=400)
    failed = _run(stand_in, tmp_path, retries=1)
    assert {r["reject_reason"] for r in failed.rows} == {filters.ERROR}
    assert len(failed.rows) == 6  # errors are not retried with another seed
    stand_in.reply = _scripted
    healed = _run(stand_in, tmp_path, retries=1)
    assert healed.cache_hits == 0 and any(r["status"] == "ok" for r in healed.rows)
