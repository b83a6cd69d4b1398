"""Main-content markdown and title from an HTML page.

trafilatura in precision mode (`cascade`: its fast variant first, the full one and then the
balanced mode only when the cheaper result looks short), then a clean-up of the page furniture it
keeps (`extract_clean.clean_markdown`: the headline, which `title` carries, "Related:" call-outs,
blocks of links to other pages). On the 181-page development corpus
(benchmarks/bench_extraction.py) this scores F1 0.972 against 0.960 for trafilatura's defaults.
crawl4ai's pruning filter is the fallback when trafilatura finds nothing (very short or unusual
pages). Both libraries are imported lazily: the code location must import fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from secondbrain_assets.core.crawl.extract_clean import clean_markdown, markdown_to_text

# Below this many words of main content a page that ships scripts is treated as rendered in the
# browser (a single-page app shell: "Loading...", "Enable JavaScript").
MIN_STATIC_WORDS = 40
_SCRIPT = re.compile(r"<script\b", re.I)
_SPA_ROOT = re.compile(
    r"""<(?:div|main|app-root)[^>]+id=["'](?:root|app|__next|__nuxt|svelte|main-app)["'][^>]*>\s*</""",
    re.I,
)
_NOSCRIPT_JS = re.compile(r"<noscript[^>]*>[^<]*(?:<[^/][^>]*>[^<]*)*javascript", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_WORD = re.compile(r"\w+", re.U)
# Bump when the output for the same HTML changes (cache keys, data versions).
EXTRACT_VERSION = "2"
# Fast mode is trusted when it returns at least this many characters and this share of the page's
# visible text (trafilatura's own recall escalation uses a 0.2 page share)...
RECALL_CHECK_CHARS = 1000
FAST_MIN_SHARE = 0.3
# ...and precision mode when it keeps this share of what balanced mode finds on short outputs
# covering under ESCALATION_PAGE_SHARE of the page (trafilatura's own recall-escalation share).
PRECISION_MIN_SHARE = 0.3
ESCALATION_PAGE_SHARE = 0.2
_MODES = {
    "fast": {"favor_precision": True, "fast": True},
    "precision": {"favor_precision": True},
    "balanced": {},
}
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_MARKDOWN = {
    "output_format": "markdown",
    "include_links": True,
    "include_tables": True,
    "include_formatting": True,
    "include_images": False,
    "include_comments": False,
    "deduplicate": False,
}


@dataclass(frozen=True)
class Extracted:
    title: str
    markdown: str
    # "trafilatura" (precision mode), "trafilatura_balanced" (precision lost the article),
    # "pruning" (crawl4ai fallback) or "none" (nothing extracted: markdown == "")
    method: str


def _title(html: str) -> str:
    import html as html_lib

    match = _TITLE.search(html[:200_000])
    return " ".join(html_lib.unescape(match.group(1)).split()) if match else ""


def _headline_text(markdown: str) -> str:
    first = next((line.strip() for line in markdown.splitlines() if line.strip()), "")
    return markdown_to_text(first[2:]).strip() if first.startswith("# ") else ""


def _pruning_markdown(html: str, url: str) -> str:
    from crawl4ai.content_filter_strategy_lxml import PruningContentFilterLXML
    from crawl4ai.markdown_generation_strategy import DefaultMarkdownGenerator

    generator = DefaultMarkdownGenerator(content_filter=PruningContentFilterLXML())
    result = generator.generate_markdown(html, base_url=url, citations=False)
    return (result.fit_markdown or "").strip()


def cascade(
    run: Callable[[str], str],
    visible_chars: Callable[[], int],
    recall_chars: int = RECALL_CHECK_CHARS,
    fast_share: float = FAST_MIN_SHARE,
    precision_share: float = PRECISION_MIN_SHARE,
) -> tuple[str, str]:
    """(markdown, method) from trafilatura modes, cheapest first; `run(mode)` extracts in a mode.

    fast (precision without the readability/justext comparison, a third cheaper) when it covers
    the page; else precision; else, when precision is short and covers under ESCALATION_PAGE_SHARE
    of the page, balanced if precision kept under `precision_share` of balanced's text.
    """
    page: list[int] = []

    def visible() -> int:  # computed once, and only when a mode's output is short
        if not page:
            page.append(visible_chars())
        return page[0]

    text = run("fast")
    if len(text) >= max(recall_chars, fast_share * visible()):
        return text, "trafilatura"
    text = run("precision")
    if len(text) >= recall_chars or len(text) >= ESCALATION_PAGE_SHARE * visible():
        return text, "trafilatura"
    balanced = run("balanced")
    if len(text) < precision_share * len(balanced):
        return balanced, "trafilatura_balanced"
    return text, "trafilatura"


def visible_chars(tree: Any) -> int:
    """Characters of text a reader could see on the page (script, style and the like left out)."""
    body = tree.find("body")
    total = 0
    for el in (body if body is not None else tree).iter():
        if isinstance(el.tag, str) and el.tag not in _INVISIBLE and el.text:
            total += len(el.text.strip())
        if el.tail:
            total += len(el.tail.strip())
    return total


def _trafilatura(html: str, url: str) -> tuple[str, str]:
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return "", "none"
    # trafilatura copies a tree it is given, so every mode shares one parse
    return cascade(
        lambda mode: trafilatura.extract(tree, url=url, **_MODES[mode], **_MARKDOWN) or "",
        lambda: visible_chars(tree),
    )


def extract(html: str, url: str) -> Extracted:
    """Main content of `html` as markdown (links, tables, lists, code kept) plus the page title.

    Nothing found gives `Extracted(title, "", "none")`."""
    title = _title(html)
    text, method = _trafilatura(html, url) if html.strip() else ("", "none")
    if text.strip():
        if not title:
            import trafilatura

            meta = trafilatura.extract_metadata(html)
            title = (meta.title or "") if meta else ""
        # the body drops its headline (clean_markdown): it still names a page without <title>
        title = title or _headline_text(text)
        # a body that was nothing but furniture (a lone headline) is still this page's text
        return Extracted(title, clean_markdown(text, title) or text.strip(), method)
    fallback = _pruning_markdown(html, url) if html.strip() else ""
    return Extracted(title, fallback, "pruning" if fallback else "none")


def word_count(markdown: str) -> int:
    return len(_WORD.findall(markdown))


def browser_reason(html: str, markdown: str) -> str | None:
    """Why this static result should be rendered in a browser, or None to keep it.

    Rule: an empty page, or one with little main content (< MIN_STATIC_WORDS words) that either
    carries an empty single-page-app root, a <noscript> asking for JavaScript, or any <script>.
    """
    if not html.strip():
        return "empty_html"
    words = word_count(markdown)
    if words >= MIN_STATIC_WORDS:
        return None
    if _SPA_ROOT.search(html):
        return "spa_root"
    if _NOSCRIPT_JS.search(html):
        return "noscript"
    if _SCRIPT.search(html):
        return "scripts_little_text" if words else "scripts_no_text"
    return "empty_content" if words == 0 else None
