"""File names, decoding, property blocks and link extraction."""

from __future__ import annotations

from secondbrain_assets.core.notion.links import extract_links, strip_trailing
from secondbrain_assets.core.notion.pages import decode, parse_page, split_id

HEX = "0123456789abcdef0123456789ABCDEF"


def test_split_id_handles_both_id_forms() -> None:
    assert split_id(f"My Page {HEX}") == ("My Page", HEX.lower())
    assert split_id("Page 01234567-89ab-cdef-0123-456789abcdef") == (
        "Page",
        "0123456789abcdef0123456789abcdef",
    )
    assert split_id("Export-2f6c1d0e") == ("Export-2f6c1d0e", None)
    assert split_id("Untitled") == ("Untitled", None)


def test_decode_falls_back() -> None:
    assert decode("\ufeffhé".encode()) == ("hé", None)
    assert decode("hé".encode("cp1252")) == ("hé", "cp1252")
    assert decode(b"\x81\x8d") == ("\x81\x8d", "latin-1")  # undefined in cp1252


def test_property_block_only_for_rows_and_only_as_a_block() -> None:
    text = "# Book\n\nStatus: Done\nTags: a, b\n\nBody: with a colon.\n"
    row = parse_page(text, "file", with_properties=True)
    assert (row.title, row.properties, row.content) == (
        "Book",
        {"Status": "Done", "Tags": "a, b"},
        "Body: with a colon.",
    )
    page = parse_page(text, "file", with_properties=False)
    assert page.properties == {} and page.content.startswith("Status: Done")
    prose = parse_page("# T\n\nNote: this line\ncontinues the paragraph\n", "f", True)
    assert prose.properties == {} and prose.content.startswith("Note:")
    assert parse_page("no heading here", "From File", False).title == "From File"
    assert parse_page("# Only Title\n", "x", False).content == ""


def test_external_links_of_every_form() -> None:
    content = (
        'See [the post](https://a.example.com/p "t"), <https://b.example.com/q>, and '
        "https://c.example.com/r. Also (https://en.wikipedia.org/wiki/Foo_(bar)).\n"
        "```\nhttps://in-code.example.com\n```\n`https://inline.example.com` "
        "[mail](mailto:x@y.z) [anchor](#section)"
    )
    links = extract_links(content, "Page.md")
    assert sorted(links.external) == [
        ("https://a.example.com/p", "the post"),
        ("https://b.example.com/q", ""),
        ("https://c.example.com/r", ""),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ""),
    ]
    assert links.internal == [] and links.attachments == []


def test_relative_links_resolve_against_the_page_folder() -> None:
    content = (
        "[up](../Other%20Page%200123.md) [db](Sub%20abc/Table%20x.csv) "
        "![img](Page%20abc/image%20one.png) [pdf](files/report.pdf) [out](../../../../etc.md) "
        f"[n](https://www.notion.so/My-Page-{HEX.lower()}?pvs=4)"
    )
    links = extract_links(content, "A/B/Page abc.md")
    assert links.internal == ["A/Other Page 0123.md", "A/B/Sub abc/Table x.csv", HEX.lower()]
    assert links.attachments == ["A/B/Page abc/image one.png", "A/B/files/report.pdf"]


def test_strip_trailing_punctuation() -> None:
    assert strip_trailing("https://x.io/a).") == "https://x.io/a"
    assert strip_trailing("https://x.io/a_(b)") == "https://x.io/a_(b)"
    assert strip_trailing("https://x.io/a?!") == "https://x.io/a"
