"""Markdown clean-up after trafilatura, and markdown flattened to plain text.

trafilatura keeps some page furniture that sits inside the article container: the headline (the
page title is kept separately), "Related: ..." / "Read more" call-outs, share-intent links ("Click
To Tweet") and blocks of links to other articles. Each rule below removes one of those; fenced code
is never touched. Measured one rule at a time in benchmarks/bench_extraction.py (ablation).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.U)
# Link text never holds an unescaped bracket and targets no space or bare parenthesis, so a scan
# stops at the next bracket or space: linear time on hostile text such as "[[[[" or "[a](" * 10**4.
_IMAGE = re.compile(r"(?<!\\)!\[(?:\\.|[^\[\]\\\n])*\]\((?:[^()\s]|\([^()\s]*\))*\)")
_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\\n])*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
_HTML_TAG = re.compile(r"(?<!\\)</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_UNDERLINE = re.compile(r"</?u>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# Call-outs that point away from the article, in the languages the pages we crawl use most.
_CALLOUT = re.compile(
    r"^(?:related(?: posts?| articles?| stories| content| reading)?|read more|read also|also read|"
    r"see also|more from|don'?t miss|you may also like|recommended(?: for you)?|also on|tags|"
    r"leia (?:mais|também)|veja também|lesen sie (?:auch|mehr)|mehr zum thema|lire aussi|"
    r"à lire aussi|leggi anche|lee también|ver también)\b\s*(?::|$|\*\*)",
    re.I,
)
_SHARE_URL = re.compile(
    r"(?:twitter\.com|x\.com)/(?:share|intent/tweet)|facebook\.com/shar|linkedin\.com/share", re.I
)
MIN_LINK_RUN = 2  # consecutive link-only lines that make a block of links inside the text
MAX_LINK_SHARE = 0.5  # link blocks never take half of a document's words (link collections stay)


def markdown_to_text(markdown: str) -> str:
    """Plain text of trafilatura markdown: link targets, images, inline HTML and escapes dropped."""
    text = _IMAGE.sub("", markdown or "")
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    return _ESCAPE.sub(r"\1", text)


def _words(line: str) -> list[str]:
    return _WORD.findall(markdown_to_text(line))


def _link_only(line: str) -> bool:
    """A line whose every word sits inside a link to a titled page (a list of related articles, a
    breadcrumb, a tag line). Links written out as bare URLs are the author's, not navigation."""
    if "](" not in line:
        return False
    if any(m.group(1).startswith(("http://", "https://", "www.")) for m in _LINK.finditer(line)):
        return False
    rest = _LINK.sub("", _LIST_MARK.sub("", line))
    return not _WORD.search(markdown_to_text(rest))


def _unwrap_share_links(line: str) -> str:
    """A "share this" link keeps its text (often a pull quote) and loses its tracking URL."""
    if "](" not in line:
        return line
    return _LINK.sub(lambda m: m.group(1) if _SHARE_URL.search(m.group(2)) else m.group(0), line)


def _is_callout(line: str) -> bool:
    plain = markdown_to_text(line).strip().lstrip("#*_[ ").strip()
    return bool(_CALLOUT.match(plain)) and len(_WORD.findall(plain)) <= 30


def _headline(line: str, title: str) -> bool:
    """The page's headline at the top of the body: a level-1 heading, or any heading that
    repeats the <title>. The title is kept apart (`Extracted.title`)."""
    s = line.lstrip()
    if not s.startswith("#"):
        return False
    if s.startswith("# "):
        return True
    head = " ".join(_words(s)).casefold()
    return bool(head and title) and head in " ".join(_WORD.findall(title)).casefold()


def _short_label(line: str) -> bool:
    """A heading or a bold/italic-only line of a few words ("More from us", "You may also like")."""
    s = line.strip()
    emphasised = s.startswith(("#", "**", "*", "_")) and not s.startswith(("* ", "- "))
    return emphasised and len(_words(s)) <= 8


def _link_blocks(lines: list[str], keep: list[bool], code: list[bool]) -> list[bool]:
    """Lines in link blocks: the trailing run of link-only lines, and any run of at least
    MIN_LINK_RUN of them elsewhere ("more stories" boxes), each with the short label above it.
    Blank lines do not break a run."""
    block = [False] * len(lines)
    content = [i for i in range(len(lines)) if keep[i] and lines[i].strip()]
    linky = [not code[i] and _link_only(lines[i]) for i in content]
    k = 0
    while k < len(content):
        if not linky[k]:
            k += 1
            continue
        end = k
        while end + 1 < len(content) and linky[end + 1]:
            end += 1
        if end == len(content) - 1 or end - k + 1 >= MIN_LINK_RUN:
            start = (
                k - 1
                if k and not code[content[k - 1]] and _short_label(lines[content[k - 1]])
                else k
            )
            for j in range(start, end + 1):
                block[content[j]] = True
        k = end + 1
    return block


def _in_code(lines: list[str]) -> list[bool]:
    """Which lines sit inside a fenced code block (never touched)."""
    inside, flags = False, []
    for line in lines:
        fence = line.lstrip().startswith(("```", "~~~"))
        flags.append(inside or fence)
        inside ^= fence
    return flags


RULES = frozenset({"headline", "callouts", "share_links", "link_blocks"})


def clean_markdown(markdown: str, title: str = "", rules: frozenset[str] = RULES) -> str:
    """Drop page furniture from extracted markdown (module docstring); return the rest stripped.

    `rules` selects the rules (all by default; the extraction benchmark turns each off in turn)."""
    lines = _UNDERLINE.sub("", markdown).splitlines()
    code = _in_code(lines)
    if "share_links" in rules:
        lines = [
            line if c else _unwrap_share_links(line) for line, c in zip(lines, code, strict=True)
        ]
    keep = [
        c or "callouts" not in rules or not _is_callout(x) for x, c in zip(lines, code, strict=True)
    ]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if (
        "headline" in rules
        and first is not None
        and not code[first]
        and _headline(lines[first], title)
    ):
        keep[first] = False
    if "link_blocks" in rules and any(keep):
        block = _link_blocks(lines, keep, code)
        words = [len(_words(line)) if k else 0 for line, k in zip(lines, keep, strict=True)]
        removed = sum(w for w, b in zip(words, block, strict=True) if b)
        if removed <= MAX_LINK_SHARE * sum(words):
            keep = [k and not b for k, b in zip(keep, block, strict=True)]
    return _join(lines, keep)


def _join(lines: list[str], keep: list[bool]) -> str:
    """The kept lines; a dropped line takes one adjacent blank line with it, so the markdown keeps
    its paragraph spacing."""
    out: list[str] = []
    eat_blank = False
    for line, k in zip(lines, keep, strict=True):
        if not k:
            eat_blank = bool(out) and not out[-1].strip()
            continue
        if eat_blank and not line.strip():
            eat_blank = False
            continue
        eat_blank = False
        out.append(line)
    return "\n".join(out).strip()
