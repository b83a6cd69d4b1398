"""Notion file names, text decoding and the parts of one Markdown page."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

# Notion appends the page id to every file and folder name: `Title 0123...cdef.md`. Most exports
# use 32 hex digits; some tools and older exports write the dashed UUID form.
_ID_SUFFIX = re.compile(
    r"^(?P<title>.*?)\s*(?P<id>[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    re.IGNORECASE,
)
# Property lines under a database row's title: `Status: Done`. Keys are short plain words so a
# sentence with a colon in the body is not taken for a property.
_PROPERTY = re.compile(r"^(?P<key>[^\s:#>*\-`\[|][^:\n]{0,59}?):[ \t]*(?P<value>.*)$")


@dataclass(frozen=True)
class ParsedPage:
    title: str
    properties: dict[str, str]
    content: str


def split_id(stem: str) -> tuple[str, str | None]:
    """(`title`, `32-hex id` or None) from a file or folder name without extension."""
    match = _ID_SUFFIX.match(stem)
    if not match:
        return stem.strip(), None
    return match["title"].strip(), match["id"].replace("-", "").lower()


def derived_id(*parts: str) -> str:
    """A stable 32-hex id for things Notion gave no id (CSV-only rows, id-less files)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when mostly-ASCII text has a NUL in every other byte."""
    head = data[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * len(head) / 2 and even < odd / 10:
        return "utf-16-le"
    if even > 0.3 * len(head) / 2 and odd < even / 10:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str | None]:
    """Text and, when it was neither UTF-8 nor marked by a byte-order mark, the encoding used."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return text, (f"{encoding} with damaged bytes" if "\ufffd" in text else None)
    if (wide := _utf16_without_bom(data)) is not None:
        return data.decode(wide, errors="replace"), wide
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    # cp1252 covers what Windows editors write; latin-1 maps every byte so it never fails.
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def parse_page(text: str, fallback_title: str, with_properties: bool) -> ParsedPage:
    """Title from the first `# heading` (else the file name), properties, and the rest.

    Database rows carry a `Key: value` block right under the title; plain pages do not, so the
    block is only read when `with_properties` is set.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    title = fallback_title
    first = lines[i].strip() if i < len(lines) else ""
    # `# Title #`: plain string operations, no regex (a line of 150,000 spaces backtracked).
    if len(first) > 1 and first[0] == "#" and first[1] in " \t":
        title = first[1:].rstrip(" \t#").strip()
        i += 1
    properties: dict[str, str] = {}
    if with_properties:
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        block: dict[str, str] = {}
        while j < len(lines) and (match := _PROPERTY.match(lines[j])):
            block[match["key"].strip()] = match["value"].strip()
            j += 1
        # A block only counts if it ends the paragraph: a colon line followed by prose is prose.
        if block and (j == len(lines) or not lines[j].strip()):
            properties, i = block, j
    content = "\n".join(lines[i:]).strip("\n")
    return ParsedPage(title=title or fallback_title, properties=properties, content=content)
