"""Links inside a Notion page: relative links to other pages, web links, attachment references."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from secondbrain_assets.core.notion.archive import TEXT_SUFFIXES
from secondbrain_assets.core.notion.pages import split_id

_FENCE = re.compile(r"^```.*?^```[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
# [anchor](target "optional title") and ![alt](target); targets may hold one level of parens.
# Starts at `[` (a literal prefix the regex engine can search for fast); a `!` just before it
# makes an image. Possessive quantifiers (Python 3.11+) rule out catastrophic backtracking.
_MD_LINK = re.compile(
    r"\[(?P<anchor>[^\]\n]*+)\]\(\s*+<?(?P<target>(?:[^()\s<>]++|\([^()\s]*+\))++)>?"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)
_AUTOLINK = re.compile(r"<(?P<url>https?://[^\s<>]+)>", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\[\]\"'`{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_NOTION_HOSTS = re.compile(r"^https?://(?:www\.)?notion\.(?:so|site)/", re.IGNORECASE)


@dataclass
class PageLinks:
    internal: list[str] = field(default_factory=list)  # normalized export paths or bare ids
    external: list[tuple[str, str]] = field(default_factory=list)  # (url, anchor)
    attachments: list[str] = field(default_factory=list)  # export paths

    def urls(self) -> list[str]:
        return list(dict.fromkeys(url for url, _ in self.external))


def strip_trailing(url: str) -> str:
    """Drop sentence punctuation after a bare URL, keeping balanced parentheses (Wikipedia)."""
    # One backwards pass with running counts: slicing and counting per character was quadratic
    # (a URL followed by 4 MB of `)` took hours).
    end = len(url)
    surplus = url.count(")") - url.count("(")  # ")" not matched by a "(" in url[:end]
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last == ")" and surplus > 0:
            end -= 1
            surplus -= 1
        else:
            break
    return url[:end]


def extract_links(content: str, page_path: str) -> PageLinks:
    """All links in `content`, a page stored at `page_path` inside the export."""
    out = PageLinks()
    seen_ext: set[tuple[str, str]] = set()

    def add_external(url: str, anchor: str) -> None:
        if _NOTION_HOSTS.match(url) and (notion_id := _notion_id(url)):
            out.internal.append(notion_id)
            return
        key = (url, anchor)
        if key not in seen_ext:
            seen_ext.add(key)
            out.external.append(key)

    text = _INLINE_CODE.sub(" ", _FENCE.sub(" ", content)) if "`" in content else content
    base = posixpath.dirname(page_path)

    def on_md_link(match: re.Match[str]) -> str:
        target, anchor = match["target"], match["anchor"].strip()
        is_image = match.start() > 0 and text[match.start() - 1] == "!"
        if target.lower().startswith(("http://", "https://")):
            add_external(target, anchor)
        elif not _SCHEME.match(target) and not target.startswith("#"):
            rel = _resolve_relative(base, target)
            if rel is None:
                pass
            elif rel.lower().endswith(TEXT_SUFFIXES) and not is_image:
                out.internal.append(rel)
            elif "." in posixpath.basename(rel):
                out.attachments.append(rel)
            else:
                out.internal.append(rel)
        return " "

    if "](" in text:
        text = _MD_LINK.sub(on_md_link, text)

    def on_autolink(match: re.Match[str]) -> str:
        add_external(match["url"], "")
        return " "

    if "<" in text:
        text = _AUTOLINK.sub(on_autolink, text)
    for match in _BARE_URL.finditer(text):
        url = strip_trailing(match.group(0))
        if "://" in url and len(url) > len("https://x"):
            add_external(url, "")
    return out


def _resolve_relative(base: str, target: str) -> str | None:
    target = target.split("#", 1)[0].split("?", 1)[0]
    if "%" in target:
        # Notion escapes almost only spaces; the plain replace is 5x faster than unquote.
        target = target.replace("%20", " ")
        if "%" in target:
            target = unquote(target)
    if not target:
        return None
    joined = posixpath.normpath(posixpath.join(base, target))
    return None if joined.startswith("..") else joined


def _notion_id(url: str) -> str | None:
    """The page id at the end of a notion.so URL (`.../Title-0123...cdef?pvs=4`)."""
    last = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return split_id(last.rsplit("-", 1)[-1] if "-" in last and len(last) > 36 else last)[1]
