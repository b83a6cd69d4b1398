"""Good/junk document pairs from the article-extraction corpus, for judging benchmarks.

Per page (as the corpus README says): good = the annotated article body; junk = the page's
visible text with the article body removed (navigation, footers, cookie and share text, related
links). Visible text: one line per block element's own text (lxml), script/style/etc. dropped.
A line counts as article text, and is removed, when most of its 4-word shingles occur in the
article body (short lines: when the line is one of the body's paragraphs or lines).

`flat=True` also yields whitespace-collapsed copies of both documents: a judge must not rely on
line breaks that another text extractor would not produce.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "article-extraction-benchmark"
MIN_JUNK_CHARS = 200  # pages whose boilerplate is shorter than this give no junk document

_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "main",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "form",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "br",
    "hr",
    "button",
    "label",
    "option",
    "select",
    "body",
    "html",
    "address",
    "details",
    "summary",
    "menu",
}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Pair:
    page: str
    url: str
    good: str
    junk: str


def visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per run of inline text between block boundaries."""
    from lxml import etree
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(html)
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _INVISIBLE or not isinstance(el.tag, str):
            if el.tail:
                current.append(el.tail)
            return
        block = tag in _BLOCK
        if block:
            flush()
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return lines


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3))}


def junk_text(lines: list[str], body: str) -> str:
    body_tokens = _WORD.findall(body)
    body_shingles = _shingles(body_tokens)
    body_lines = {" ".join(p.split()) for p in re.split(r"\n+", body) if p.strip()}
    kept = []
    for line in lines:
        tokens = _WORD.findall(line)
        if len(tokens) >= 4:
            grams = _shingles(tokens)
            if len(grams & body_shingles) / len(grams) >= 0.5:
                continue
        elif line in body_lines:
            continue
        kept.append(line)
    return "\n".join(kept)


def load_pairs(corpus: Path = CORPUS, limit: int | None = None) -> list[Pair]:
    truth = json.loads((corpus / "ground-truth.json").read_text())
    pairs = []
    for page in sorted(truth)[:limit]:
        body = truth[page]["articleBody"].strip()
        html = gzip.decompress((corpus / "html" / f"{page}.html.gz").read_bytes())
        lines = visible_lines(html.decode("utf-8", errors="replace"))
        junk = junk_text(lines, body)
        if len(junk) >= MIN_JUNK_CHARS and len(body) >= MIN_JUNK_CHARS:
            pairs.append(Pair(page, truth[page]["url"], body, junk))
    return pairs


def flatten(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    found = load_pairs()
    print(f"{len(found)} pairs")
    for pair in found[:3]:
        print("=" * 80, pair.url)
        print(pair.junk[:1500])
