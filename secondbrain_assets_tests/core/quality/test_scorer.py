"""Rules and scores on crafted real texts, for both profiles."""

from __future__ import annotations

import polars as pl
import pytest

from secondbrain_assets.core.quality.rules import NOTES, PROFILES, WEB
from secondbrain_assets.core.quality.scorer import (
    SIGNAL_COLUMNS,
    rule_pass_rates,
    score_frame,
    score_text,
)
from secondbrain_assets_tests.core.quality.texts import (
    ARTICLE,
    HASHTAGS,
    LOREM_PAGE,
    NAVIGATION,
    NOTE,
    SPAM,
)


def test_good_article_passes_both_profiles() -> None:
    for profile in (WEB, NOTES):
        verdict = score_text(ARTICLE, profile)
        assert verdict.passed and verdict.failed_rules == [] and verdict.score == 1.0


def test_repetitive_spam_fails_repetition_rules() -> None:
    verdict = score_text(SPAM, WEB)
    assert not verdict.passed
    for rule in ("gopher_dup_line_frac", "gopher_dup_line_char_frac", "gopher_dup_10_gram"):
        assert rule in verdict.failed_rules
    assert 0.0 < verdict.score < 1.0


def test_lorem_ipsum_fails_in_both_profiles() -> None:
    assert score_text(LOREM_PAGE, WEB).failed_rules == ["c4_lorem_ipsum"]
    assert score_text(LOREM_PAGE, NOTES).failed_rules == ["lorem_ipsum"]


def test_symbol_heavy_page_fails_hash_ratio() -> None:
    assert "gopher_hash_ratio" in score_text(HASHTAGS, WEB).failed_rules


def test_curly_bracket_in_a_punctuated_line_fails_c4_only_for_web() -> None:
    text = ARTICLE + "\nThe config file uses a {placeholder} for the user name.\n"
    assert score_text(text, WEB).failed_rules == ["c4_curly_bracket"]
    assert score_text(text, NOTES).passed


def test_bulleted_note_with_code_passes_notes_but_not_web() -> None:
    notes = score_text(NOTE, NOTES)
    assert notes.passed, notes.failed_rules
    assert notes.signals["code_lines"] == 3
    web = score_text(NOTE, WEB)
    assert not web.passed
    assert {"gopher_min_words", "c4_min_sentences"} <= set(web.failed_rules)


def test_navigation_page_fails_as_boilerplate() -> None:
    failed = set(score_text(NAVIGATION, WEB).failed_rules)
    assert {"gopher_stop_words", "fineweb_short_lines", "c4_min_sentences"} <= failed


def test_empty_document_scores_a_real_zero() -> None:
    for content in ("", "   \n", "```\ncode only\n```"):
        verdict = score_text(content, NOTES)
        assert verdict.score == 0.0 and verdict.score is not None
        assert verdict.failed_rules == ["empty"] and not verdict.passed


def test_overrides_change_thresholds_and_check_names() -> None:
    strict = WEB.with_overrides({"gopher_min_words": 1000})
    assert "gopher_min_words" in score_text(ARTICLE, strict).failed_rules
    lenient = WEB.with_overrides(disabled=["gopher_min_words", "c4_min_sentences"])
    assert "gopher_min_words" not in score_text(NOTE, lenient).failed_rules
    with pytest.raises(KeyError, match="known rules: gopher_min_words"):
        WEB.with_overrides({"no_such_rule": 1.0})


def test_every_rule_documents_its_source_and_signal() -> None:
    signals = {c.removeprefix("sig_") for c in SIGNAL_COLUMNS}
    for profile in PROFILES.values():
        names = [r.name for r in profile.rules]
        assert len(names) == len(set(names))
        for rule in profile.rules:
            assert rule.source and rule.signal in signals and rule.kind in ("min", "max")


def test_score_frame_mixes_sources_and_keeps_order() -> None:
    docs = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "source": ["web", "notion", "web", "notion"],
            "content": [ARTICLE, NOTE, NOTE, None],
        }
    )
    out = score_frame(docs)
    assert out["doc_id"].to_list() == ["a", "b", "c", "d"]
    assert out["heuristic_pass"].to_list() == [True, True, False, False]
    assert out["failed_rules"][3].to_list() == ["empty"]
    assert out["heuristic_score"].is_between(0, 1).all()
    assert set(SIGNAL_COLUMNS) <= set(out.columns)
    assert all(out[c].dtype == pl.Float64 for c in SIGNAL_COLUMNS)
    rates = rule_pass_rates(out)
    web_min = rates.filter((pl.col("profile") == "web") & (pl.col("rule") == "gopher_min_words"))
    assert web_min.select("applied", "passed").row(0) == (2, 1)
    assert score_frame(docs.clear()).height == 0


def test_score_frame_rejects_unknown_sources() -> None:
    docs = pl.DataFrame({"source": ["pdf"], "content": ["x"]})
    with pytest.raises(ValueError, match="no quality profile"):
        score_frame(docs)
