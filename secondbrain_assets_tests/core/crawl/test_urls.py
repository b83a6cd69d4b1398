from __future__ import annotations

import pytest

from secondbrain_assets.core.crawl.urls import InvalidURLError, normalize_url, url_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c#frag", "http://example.com/a/c"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://ex.com/p?utm_source=news&b=2&fbclid=XYZ&a=1&gclid=1", "https://ex.com/p?a=1&b=2"),
        ("https://ex.com/p?utm_medium=x", "https://ex.com/p"),
        ("https://ex.com/a b", "https://ex.com/a%20b"),
        ("https://ex.com/%7Euser/", "https://ex.com/~user/"),
        ("https://ex.com/a%2fb", "https://ex.com/a%2Fb"),
        ("https://münchen.de/", "https://xn--mnchen-3ya.de/"),
        ("  https://Ex.com./x  ", "https://ex.com/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_same_page_same_id() -> None:
    a = normalize_url("https://Blog.example.com/post?id=3&utm_campaign=x#comments")
    b = normalize_url("https://blog.example.com:443/post?id=3")
    assert a == b
    assert url_id(a) == url_id(b)
    assert len(url_id(a)) == 32 and int(url_id(a), 16) >= 0
    assert url_id(a) != url_id(normalize_url("https://blog.example.com/post?id=4"))


@pytest.mark.parametrize("raw", ["", "not a url", "http://", "https://ex.com:99999/"])
def test_invalid(raw: str) -> None:
    with pytest.raises(InvalidURLError):
        normalize_url(raw)


def test_other_schemes_kept_recognisable() -> None:
    assert normalize_url("MAILTO:someone@example.com").startswith("mailto:")
