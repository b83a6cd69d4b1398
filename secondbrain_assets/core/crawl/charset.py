"""Content-type checks and HTML decoding for pages that are not UTF-8.

Order of trust (as browsers do, WHATWG "encoding sniffing"): byte-order mark, the charset in the
Content-Type header, a <meta charset> in the first 2 KB, then strict UTF-8, then a statistical
guess.
"""

from __future__ import annotations

import codecs
import re

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)
# Leading bytes of common non-HTML payloads served with a wrong or missing content type.
_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
)


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def _wide(name: str | None) -> bool:
    """True for UTF-16/32 labels: text in them is full of NUL bytes."""
    return bool(name) and name.lower().replace("_", "-").startswith(
        ("utf-16", "utf-32", "utf16", "utf32", "ucs-2", "ucs2")
    )


def sniff_non_html(head: bytes, content_type: str | None = None) -> str | None:
    """Name of the binary format `head` starts with, or None when it may be HTML."""
    stripped = head.lstrip()
    for magic, name in _MAGIC:
        if stripped.startswith(magic):
            return name
    header = _HEADER_CHARSET.search(content_type or "")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        header and _wide(header.group(1))
    ):
        return None  # UTF-16 text: NULs are expected
    if b"\x00" in head[:512]:
        return "binary data"
    return None


def _known(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # WHATWG: a page labelled iso-8859-1/ascii is decoded as windows-1252.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode an HTML body to text, never raising."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(enc, errors="replace")
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:2048])
    has_nul = b"\x00" in body[:4096]
    for candidate in (header and header.group(1), meta and meta.group(1)):
        enc = _known(candidate)
        # A UTF-16/32 label on a body without NUL bytes is a lie (ASCII markup in UTF-16 is half
        # NULs): decoding it so turns the page into CJK noise with no text. WHATWG also reads a
        # <meta> UTF-16 label as UTF-8.
        if enc and _wide(enc) and not has_nul:
            continue
        if enc:
            return body.decode(enc, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # lazy: only for unlabelled non-UTF-8 pages

    best = from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("cp1252", errors="replace")
