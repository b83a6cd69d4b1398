from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.crawl.extract import (
    _pruning_markdown,
    browser_reason,
    cascade,
    extract,
    visible_chars,
)
from secondbrain_assets.core.crawl.extract_clean import clean_markdown, markdown_to_text
from secondbrain_assets.core.crawl.extract_eval import load_corpus, scores, shingle_match
from secondbrain_assets_tests.core.crawl.site import ARTICLE, JS_APP


def test_article_rule_keeps_static() -> None:
    page = extract(ARTICLE, "https://fieldnotes.example/glaciers")
    assert page.method == "trafilatura"
    assert browser_reason(ARTICLE, page.markdown) is None
    # the headline lives in `title`, not as the body's first line
    assert page.title == "How glaciers carve valleys | The Field Notes"
    assert not page.markdown.startswith("# ") and "## Plucking and abrasion" in page.markdown


def test_spa_shell_goes_to_browser() -> None:
    page = extract(JS_APP, "https://tides.example/")
    assert page.title == "Tide tables app"
    assert browser_reason(JS_APP, page.markdown) == "spa_root"


def test_rule_variants() -> None:
    assert browser_reason("", "") == "empty_html"
    short_with_script = "<html><body><p>Loading</p><script src='/app.js'></script></body></html>"
    assert browser_reason(short_with_script, "Loading") == "scripts_little_text"
    assert browser_reason("<html><body><p>Hi</p></body></html>", "Hi") is None
    long_text = "word " * 60
    assert browser_reason(f"<div id='root'></div><p>{long_text}</p>", long_text) is None


def test_nothing_found_gives_empty_markdown() -> None:
    page = extract(
        "<html><head><title>x</title></head><body><footer>(c)</footer></body></html>",
        "https://x.example/",
    )
    assert page.markdown == "" and page.method == "none" and page.title == "x"


def test_pruning_fallback_drops_navigation() -> None:
    md = _pruning_markdown(ARTICLE, "https://fieldnotes.example/glaciers")
    assert "Plucking and abrasion" in md
    assert "Sign in" not in md


# --- extraction quality: clean-up rules, precision fallback, the corpus figure ---------------

CORPUS = Path(__file__).resolve().parents[4] / "shared/corpora/article-extraction-benchmark"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "ground-truth.json").exists(), reason=f"development corpus not at {CORPUS}"
)

BODY = """# Glaciers carve valleys

Glaciers are slow rivers of ice that reshape mountains over thousands of years, as
[field studies](https://example.org/studies) show.

**Related: Ten gadgets every hiker should own**

## Plucking

- [Abrasion](https://example.org/abrasion) polishes the bed below.
- Freeze-thaw cycles prepare the rock.

[The best budget headphones](https://example.org/r/1)
[Why your sourdough keeps failing](https://example.org/r/2)

Meltwater seeps into cracks and refreezes, loosening blocks of bedrock.

```python
# a comment, not a heading
[not](a-link-block)
[still](code)
```

[I quote this line.Click To Tweet](https://twitter.com/share?text=I+quote)

### You may also like

- [Ten gadgets](https://example.org/r/3)
- [Sourdough](https://example.org/r/4)
"""


def test_clean_markdown_drops_furniture_keeps_content() -> None:
    md = clean_markdown(BODY, "Glaciers carve valleys | Field Notes")
    for gone in (
        "# Glaciers carve valleys",
        "Related:",
        "budget headphones",
        "sourdough",
        "You may also like",
        "Ten gadgets",
        "twitter.com",
    ):
        assert gone not in md, gone
    for kept in (
        "[field studies](https://example.org/studies)",
        "## Plucking",
        "- [Abrasion](https://example.org/abrasion) polishes",
        "- Freeze-thaw",
        "Meltwater seeps",
        "# a comment, not a heading\n[not](a-link-block)\n[still](code)",
        "I quote this line.",
    ):
        assert kept in md, kept
    assert "\n\n\n" not in md  # a dropped line takes its blank line with it


def test_link_collections_are_not_emptied() -> None:
    links = "\n".join(f"- [Resource number {i}](https://example.org/{i})" for i in range(8))
    md = f"A short note on tools.\n\n{links}"
    assert clean_markdown(md) == md  # links are most of this page: it is the content


def test_only_the_top_heading_is_the_headline() -> None:
    md = "Intro paragraph with words.\n\n# A later section\n\nText."
    assert clean_markdown(md) == md
    assert clean_markdown("## Sub title\n\nBody text here.", "Sub title - Site").startswith("Body")
    assert clean_markdown("## A dek line\n\nBody.", "Other title").startswith("## A dek line")


def test_markdown_to_text_flattens_what_the_metric_must_not_see() -> None:
    md = r"See [\[the guide\]](https://x.example/a_(b)) and ![img](i.png) <u>now</u> \<tag> a\_b"
    assert markdown_to_text(md) == "See [the guide] and  now <tag> a_b"


def test_benchmark_metric_matches_its_definition() -> None:
    assert shingle_match("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_match("one two three four five", "one two three four six")
    assert (tp, fp, fn) == (1 / 3, 1 / 3, 1 / 3)
    assert shingle_match("", "") == (0.0, 0.0, 0.0)
    s = scores([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    assert s["precision"] == 0.75 and s["recall"] == 1.0


def test_cascade_runs_costlier_modes_only_when_the_cheap_one_looks_short() -> None:
    def runner(out: dict[str, str]):
        calls: list[str] = []

        def run(mode: str) -> str:
            calls.append(mode)
            return out[mode]

        return run, calls

    long, short = "x" * 3000, "x" * 200
    run, calls = runner({"fast": long})
    assert cascade(run, lambda: 5000) == (long, "trafilatura") and calls == ["fast"]
    # fast covers under FAST_MIN_SHARE of a big page: the full precision mode decides
    run, calls = runner({"fast": long, "precision": long * 3})
    assert cascade(run, lambda: 40_000)[0] == long * 3 and calls == ["fast", "precision"]
    # precision kept almost nothing of what balanced finds: balanced wins
    run, calls = runner({"fast": short, "precision": short, "balanced": long})
    assert cascade(run, lambda: 5000) == (long, "trafilatura_balanced")
    # a short page that precision covers: balanced never runs
    run, calls = runner({"fast": short, "precision": short})
    assert cascade(run, lambda: 400) == (short, "trafilatura") and calls == ["fast", "precision"]


def test_visible_chars_ignores_scripts_and_styles() -> None:
    import trafilatura

    html = "<html><head><title>T</title></head><body><p>abc</p>d<script>var x=1;</script>"
    html += "<style>p{}</style><div>ef</div></body></html>"
    assert visible_chars(trafilatura.load_html(html)) == len("abc") + len("d") + len("ef")


def test_lone_headline_and_hostile_markup_do_not_crash() -> None:
    page = extract(
        "<html><body><article><h1>Only a headline here</h1></article></body></html>",
        "https://x.example/",
    )
    assert page.markdown == "# Only a headline here" and page.method.startswith("trafilatura")
    assert page.title == "Only a headline here"
    for html in ("<" * 1000, "<div>" * 3000 + "deep text " * 50 + "</div>" * 3000, "\x00<p>\x00"):
        assert isinstance(extract(html, "https://x.example/").markdown, str)


@needs_corpus
def test_precision_collapse_falls_back_to_balanced() -> None:
    # Barron's: precision mode keeps ~260 characters of a 2,400-character article
    page = next(p for p in load_corpus(CORPUS) if p[0].startswith("f8ff621a"))
    got = extract(page[2], page[1])
    assert got.method == "trafilatura_balanced"
    tp, fp, fn = shingle_match(page[3], markdown_to_text(got.markdown))
    assert tp / (tp + fn) > 0.95


@pytest.mark.slow
@needs_corpus
def test_corpus_f1_beats_trafilatura() -> None:
    import trafilatura

    ours, plain = [], []
    for _, url, html, truth in load_corpus(CORPUS):
        ours.append(shingle_match(truth, markdown_to_text(extract(html, url).markdown)))
        plain.append(shingle_match(truth, trafilatura.extract(html, include_comments=False) or ""))
    f1, base = scores(ours)["f1"], scores(plain)["f1"]
    assert f1 >= 0.97 and f1 > base + 0.005, (f1, base)


def test_clean_up_is_linear_on_hostile_text() -> None:
    import time

    for md in ("[" * 50_000, "\\[" * 50_000, "[a](" * 20_000, "![" * 30_000, "<a " * 30_000):
        start = time.perf_counter()
        clean_markdown(md)
        markdown_to_text(md)
        assert time.perf_counter() - start < 3, md[:8]  # quadratic regexes took minutes here
