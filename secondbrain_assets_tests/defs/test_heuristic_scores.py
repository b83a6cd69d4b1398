"""The `heuristic_scores` asset on real upstream parquet, through the project's IO manager."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.defs.heuristics import (
    HeuristicPassRateConfig,
    HeuristicsConfig,
    heuristic_checks,
    heuristic_scores,
    heuristic_scores_failed_rules_consistent,
    heuristic_scores_pass_rate_plausible,
    heuristic_scores_valid,
)
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets_tests.core.quality.texts import ARTICLE, LOREM_PAGE, NOTE, SPAM

# Test-only stand-ins: upstream data comes from parquet the test writes where the IO manager
# reads it, so these specs only tell Dagster the upstream assets exist.
UPSTREAM = [
    dg.AssetSpec("notion_docs", partitions_def=notion_exports),
    dg.AssetSpec("crawled_pages", partitions_def=notion_exports),
]
KEY = "export-2026-02"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write(data_dir: Path, name: str, frame: pl.DataFrame) -> None:
    path = data_dir / "assets" / name / f"{KEY}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


def _write_upstream(data_dir: Path, notes: list[str], pages: list[tuple[str, str]]) -> None:
    """`notes`: Notion contents; `pages`: (outcome, content) of crawled pages."""
    _write(
        data_dir,
        "notion_docs",
        pl.DataFrame(
            {
                "doc_id": [f"{i:032x}" for i in range(len(notes))],
                "export_key": [KEY] * len(notes),
                "source": ["notion"] * len(notes),
                "kind": ["page"] * len(notes),
                "title": [f"Note {i}" for i in range(len(notes))],
                "content": notes,
                "parent_id": [None] + [f"{0:032x}"] * (len(notes) - 1),
                "content_hash": [_sha(n) for n in notes],
                "n_chars": [len(n) for n in notes],
            },
            schema_overrides={"parent_id": pl.String},
        ),
    )
    _write(
        data_dir,
        "crawled_pages",
        pl.DataFrame(
            {
                "doc_id": [f"{i + 100:032x}" for i in range(len(pages))],
                "url": [f"http://example.com/{i}" for i in range(len(pages))],
                "export_key": [KEY] * len(pages),
                "source": ["web"] * len(pages),
                "final_url": [
                    f"https://example.com/final/{i}" if i == 0 else None for i in range(len(pages))
                ],
                "title": [f"Page {i}" for i in range(len(pages))],
                "content": [c for _, c in pages],
                "outcome": [o for o, _ in pages],
                "content_hash": [_sha(c) for _, c in pages],
            },
            schema_overrides={"final_url": pl.String},
        ),
    )


def _materialize(config: HeuristicsConfig | None = None, **kw: object) -> dg.ExecuteInJobResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [KEY])
    run_config = None
    if config is not None:
        run_config = dg.RunConfig({"heuristic_scores": config})
    return dg.materialize(
        [heuristic_scores, *heuristic_checks, *UPSTREAM],
        partition_key=KEY,
        instance=instance,
        resources={"io_manager": PolarsParquetIOManager()},
        run_config=run_config,
        **kw,
    )


def _read(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "assets" / "heuristic_scores" / f"{KEY}.parquet")


def test_scores_notes_and_ok_pages_with_metadata_and_checks(data_dir: Path) -> None:
    _write_upstream(
        data_dir,
        notes=[ARTICLE, NOTE, ""],
        pages=[("ok", ARTICLE), ("ok", SPAM), ("timeout", ""), ("ok", LOREM_PAGE)],
    )
    result = _materialize()
    table = _read(data_dir)
    assert table.height == 6  # 3 notes + 3 ok pages; the timeout is not a document
    assert table["source"].to_list() == ["notion"] * 3 + ["web"] * 3
    assert table["heuristic_pass"].to_list() == [True, True, False, True, False, False]
    assert table["failed_rules"][2].to_list() == ["empty"]
    assert table["heuristic_score"][2] == 0.0  # a real zero, not null
    assert "c4_lorem_ipsum" in table["failed_rules"][5].to_list()
    assert table["url"].to_list()[3:] == [
        "https://example.com/final/0",
        "http://example.com/1",
        "http://example.com/3",
    ]
    assert table["url"][:3].is_null().all() and table["parent_id"][1] == f"{0:032x}"
    assert table["content_hash"][3] == _sha(ARTICLE)
    assert {"sig_n_words", "sig_dup_10_gram_frac", "sig_link_density"} <= set(table.columns)

    [event] = result.get_asset_materialization_events()
    meta = {k: v.value for k, v in event.materialization.metadata.items()}
    assert meta["dagster/row_count"] == 6 and meta["n_web_not_ok_skipped"] == 1
    assert "| web | gopher_dup_line_frac | 3 | 2 |" in meta["rule_pass_rates"]
    assert "data:image/png;base64," in meta["score_histogram"]
    assert "data:image/png;base64," in meta["content_length_histogram"]
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {
        "heuristic_scores_valid",
        "heuristic_scores_ids_unique",
        "heuristic_scores_failed_rules_consistent",
        "heuristic_scores_pass_rate_plausible",
    }
    assert all(c.passed for c in checks.values())


def test_config_overrides_thresholds_and_rejects_unknown_rules(data_dir: Path) -> None:
    _write_upstream(data_dir, notes=[NOTE], pages=[("ok", ARTICLE)])
    _materialize(HeuristicsConfig(web_thresholds={"gopher_min_words": 5000}))
    table = _read(data_dir)
    assert table["failed_rules"][1].to_list() == ["gopher_min_words"]
    _materialize(HeuristicsConfig(disabled_rules=["gopher_min_words", "c4_min_sentences"]))
    assert _read(data_dir)["heuristic_pass"].to_list() == [True, True]
    with pytest.raises(dg.Failure, match="unknown rule"):
        _materialize(HeuristicsConfig(disabled_rules=["no_such_rule"]))


def test_all_passing_batch_warns_but_does_not_fail(data_dir: Path) -> None:
    _write_upstream(data_dir, notes=[ARTICLE] * 21, pages=[])
    result = _materialize()
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    warn = checks["heuristic_scores_pass_rate_plausible"]
    assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN


def test_checks_catch_null_scores_inconsistent_rules_and_low_pass_rates() -> None:
    bad = pl.DataFrame(
        {
            "heuristic_score": [0.0, None, 1.5],
            "failed_rules": [["empty"], [], []],
            "heuristic_pass": [True, False, True],
        },
        schema_overrides={"heuristic_score": pl.Float64, "failed_rules": pl.List(pl.String)},
    )
    valid = heuristic_scores_valid(heuristic_scores=bad)
    assert not valid.passed and valid.metadata["invalid"].value == 2  # 0.0 itself is valid
    consistent = heuristic_scores_failed_rules_consistent(heuristic_scores=bad)
    assert not consistent.passed and consistent.metadata["inconsistent"].value == 2
    strict = HeuristicPassRateConfig(min_pass_rate=0.9)
    assert not heuristic_scores_pass_rate_plausible(config=strict, heuristic_scores=bad).passed
    lenient = HeuristicPassRateConfig(min_pass_rate=0.5)
    assert heuristic_scores_pass_rate_plausible(config=lenient, heuristic_scores=bad).passed
