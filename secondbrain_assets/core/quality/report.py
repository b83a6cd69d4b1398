"""Markdown pieces for the heuristic_scores metadata."""

from __future__ import annotations

import polars as pl


def pass_rate_table(rates: pl.DataFrame) -> str:
    """Markdown table of `rule_pass_rates` output, worst rule first."""
    lines = ["| profile | rule | applied | passed | pass rate |", "|---|---|---:|---:|---:|"]
    for profile, rule, applied, passed, rate in rates.iter_rows():
        shown = "n/a" if rate is None else f"{rate:.1%}"
        lines.append(f"| {profile} | {rule} | {applied} | {passed} | {shown} |")
    return "\n".join(lines)
