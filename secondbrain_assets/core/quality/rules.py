"""Named quality rules with documented thresholds, grouped into a web profile and a notes profile.

Each rule has one job: compare one signal (see `text_stats.py`) with one threshold. Sources:
- Gopher: Rae et al. 2021, "Scaling Language Models: Methods, Analysis & Insights from Training
  Gopher", appendix A (quality filter and Table A1 repetition thresholds), as datatrove defaults.
- C4: Raffel et al. 2020, "Exploring the Limits of Transfer Learning ...", section 2.2, as
  datatrove's C4QualityFilter defaults.
- FineWeb: Penedo et al. 2024, FineWebQualityFilter defaults in datatrove.
- ours: no published threshold fits; the value and its reason are given with the rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rule:
    """Pass when `signal` is >= `threshold` (kind "min") or <= `threshold` (kind "max").

    `min_words`: the rule applies only to texts with at least that many words; ratios over a
    ten-word note are noise, not evidence. A rule that does not apply is neither passed nor failed.
    """

    name: str
    signal: str
    kind: Literal["min", "max"]
    threshold: float
    source: str
    min_words: int = 0


@dataclass(frozen=True)
class Profile:
    """A rule set for one kind of document; `strip_markdown` judges the text without markup."""

    name: str
    rules: tuple[Rule, ...]
    strip_markdown: bool

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        known = ", ".join(r.name for r in self.rules)
        raise KeyError(f"profile {self.name!r} has no rule {name!r}; known rules: {known}")

    def with_overrides(
        self, thresholds: Mapping[str, float] | None = None, disabled: Sequence[str] = ()
    ) -> Profile:
        """A copy with some thresholds replaced and some rules switched off (names checked)."""
        thresholds = dict(thresholds or {})
        for name in [*thresholds, *disabled]:
            self.rule(name)  # raises with the list of valid names
        rules = tuple(
            dataclasses.replace(r, threshold=float(thresholds.get(r.name, r.threshold)))
            for r in self.rules
            if r.name not in disabled
        )
        return dataclasses.replace(self, rules=rules)


def _gopher(name: str, signal: str, kind: Literal["min", "max"], thr: float, **kw) -> Rule:
    return Rule(f"gopher_{name}", signal, kind, thr, "Gopher (Rae et al. 2021) / datatrove", **kw)


# Gopher quality filter (datatrove GopherQualityFilter defaults).
GOPHER_QUALITY = (
    _gopher("min_words", "n_words", "min", 50),
    _gopher("max_words", "n_words", "max", 100_000),
    _gopher("min_mean_word_length", "mean_word_length", "min", 3),
    _gopher("max_mean_word_length", "mean_word_length", "max", 10),
    _gopher("hash_ratio", "hash_ratio", "max", 0.1),
    _gopher("ellipsis_ratio", "ellipsis_ratio", "max", 0.1),
    _gopher("bullet_lines", "bullet_lines_frac", "max", 0.9),
    _gopher("ellipsis_lines", "ellipsis_lines_frac", "max", 0.3),
    _gopher("alpha_words", "alpha_words_frac", "min", 0.8),
    _gopher("stop_words", "stop_words", "min", 2),
)

# Gopher repetition filter, Table A1 (datatrove GopherRepetitionFilter defaults).
GOPHER_REPETITION = (
    _gopher("dup_para_frac", "dup_para_frac", "max", 0.3),
    _gopher("dup_para_char_frac", "dup_para_char_frac", "max", 0.2),
    _gopher("dup_line_frac", "dup_line_frac", "max", 0.3),
    _gopher("dup_line_char_frac", "dup_line_char_frac", "max", 0.2),
    _gopher("top_2_gram", "top_2_gram_frac", "max", 0.2),
    _gopher("top_3_gram", "top_3_gram_frac", "max", 0.18),
    _gopher("top_4_gram", "top_4_gram_frac", "max", 0.16),
    *(
        _gopher(f"dup_{n}_gram", f"dup_{n}_gram_frac", "max", round(0.15 - 0.01 * (n - 5), 2))
        for n in range(5, 11)
    ),
)

_C4 = "C4 (Raffel et al. 2020) / datatrove"
C4_QUALITY = (
    Rule("c4_lorem_ipsum", "c4_lorem_ipsum", "max", 0, _C4),
    Rule("c4_curly_bracket", "c4_curly_bracket", "max", 0, _C4),
    Rule("c4_min_sentences", "c4_sentences", "min", 5, _C4),
)

_FW = "FineWeb (Penedo et al. 2024) / datatrove"
WEB_EXTRA = (
    Rule("fineweb_line_punct", "line_punct_frac", "min", 0.12, _FW),
    Rule("fineweb_short_lines", "short_lines_frac", "max", 0.67, _FW),
    # C4 drops each policy / javascript line; a page made mostly of them is boilerplate.
    Rule("boilerplate_lines", "policy_lines_frac", "max", 0.2, "ours, from C4 line filters"),
    # Navigation and link hubs: the original project's link-ratio idea, as a share of characters.
    Rule("link_density", "link_density", "max", 0.5, "ours, after the original link-ratio rules"),
)

WEB = Profile(
    name="web",
    rules=GOPHER_QUALITY + GOPHER_REPETITION + C4_QUALITY + WEB_EXTRA,
    strip_markdown=True,
)


def _relaxed(rule: Rule, **changes: object) -> Rule:
    return dataclasses.replace(rule, source=f"{rule.source}, relaxed for notes (ours)", **changes)


_NOTES_ONLY = "ours, notes profile"
_G = {r.name: r for r in GOPHER_QUALITY + GOPHER_REPETITION}
NOTES = Profile(
    name="notes",
    rules=(
        # A two-line note can be a good note: only empty-ish notes fail.
        _relaxed(_G["gopher_min_words"], threshold=5),
        _G["gopher_max_words"],
        _G["gopher_min_mean_word_length"],
        # Identifiers, paths and compound terms are long words in technical notes.
        _relaxed(_G["gopher_max_mean_word_length"], threshold=15),
        _G["gopher_hash_ratio"],
        _G["gopher_ellipsis_ratio"],
        # Bullets are how notes are written: no bullet-lines rule.
        _G["gopher_ellipsis_lines"],
        # Tables of numbers and dates are legitimate.
        _relaxed(_G["gopher_alpha_words"], threshold=0.5),
        # Telegraphic notes ("buy milk, call Bob") have no stop words; judge only longer notes.
        _relaxed(_G["gopher_stop_words"], min_words=50),
        # Checklists repeat short lines ("TODO", "done"): looser line rules, repetition stats only
        # on notes long enough for them to mean something.
        _relaxed(_G["gopher_dup_para_frac"], min_words=30),
        _relaxed(_G["gopher_dup_para_char_frac"], min_words=30),
        _relaxed(_G["gopher_dup_line_frac"], threshold=0.5, min_words=30),
        _relaxed(_G["gopher_dup_line_char_frac"], threshold=0.35, min_words=30),
        *(_relaxed(r, min_words=50) for r in GOPHER_REPETITION[4:]),
        # Placeholder text anywhere (not only in C4's punctuated lines) is never a real note.
        Rule("lorem_ipsum", "lorem_ipsum", "max", 0, "C4 (Raffel et al. 2020), any line"),
        # A note that is only links is an index page: its value is in the pages it links to.
        Rule("link_density", "link_density", "max", 0.8, _NOTES_ONLY),
        # No C4 sentence / curly-bracket rules and no FineWeb line rules: notes are bulleted,
        # unpunctuated and may contain code.
    ),
    strip_markdown=True,
)

PROFILES: dict[str, Profile] = {"web": WEB, "notes": NOTES}


def build_profiles(
    web_thresholds: Mapping[str, float] | None = None,
    notes_thresholds: Mapping[str, float] | None = None,
    disabled: Sequence[str] = (),
) -> dict[str, Profile]:
    """The two profiles with user overrides; `disabled` names rules of either profile."""
    known = {r.name for p in PROFILES.values() for r in p.rules}
    unknown = sorted(set(disabled) - known)
    if unknown:
        raise KeyError(f"unknown rules {unknown} in disabled_rules; known: {sorted(known)}")
    out = {}
    for name, thresholds in (("web", web_thresholds), ("notes", notes_thresholds)):
        profile = PROFILES[name]
        mine = [d for d in disabled if d in {r.name for r in profile.rules}]
        out[name] = profile.with_overrides(thresholds, mine)
    return out
