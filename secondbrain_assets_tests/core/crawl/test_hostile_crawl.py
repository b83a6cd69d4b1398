"""Hostile sites and addresses from issue 9, against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from secondbrain_assets.core.crawl.crawler import CrawlConfig, CrawlItem, _group, crawl
from secondbrain_assets.core.crawl.http_fetch import FetchSettings
from secondbrain_assets.core.crawl.safety import RefusedURLError, SafetyPolicy, embedded_ipv4

ARTICLE = "".join(
    f"<p>Paragraph {i}: glaciers are slow rivers of ice that reshape whole mountain ranges "
    "over thousands of years, carving valleys as they move.</p>"
    for i in range(6)
)
ETE = f"<article><h1>Été</h1><p>En été, les glaciers fondent.</p>{ARTICLE}</article>"
DEEP = (
    "<html><head><title>Deep</title></head><body>"
    + "<div>" * 100_000
    + f"<article><h1>Deep article</h1>{ARTICLE}</article>"
    + "</div>" * 100_000
    + "</body></html>"
)
PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/js": (302, {"Location": "javascript:alert(1)"}, b""),
    "/mail": (301, {"Location": "mailto:someone@example.org"}, b""),
    "/data": (307, {"Location": "data:text/html,<h1>hi</h1>"}, b""),
    "/lying-utf16": (
        200,
        {"Content-Type": "text/html; charset=utf-16"},
        f"<html><body>{ETE}</body></html>".encode(),
    ),
    "/real-utf16": (
        200,
        {"Content-Type": "text/html"},
        f"\ufeff<html><body>{ETE}</body></html>".encode("utf-16-le"),
    ),
    "/deep": (200, {"Content-Type": "text/html; charset=utf-8"}, DEEP.encode()),
    "/blank": (200, {"Content-Type": "text/html"}, b"<html><body>  </body></html>"),
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        status, headers, body = PAGES[self.path]
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _crawl(base_url: str, *paths: str) -> dict[str, dict[str, Any]]:
    cfg = CrawlConfig(
        fetch=FetchSettings(timeout_s=30.0, retries=0, max_bytes=5_000_000),
        use_browser=False,
        allow_private=("127.0.0.1",),
    )
    report = crawl([CrawlItem(base_url + p, "doc1") for p in paths], cfg)
    return {row["url"].rsplit("/", 1)[1]: row for row in report.rows}


def test_redirect_to_non_http_scheme_is_named_in_the_row(base_url: str) -> None:
    rows = _crawl(base_url, "/js", "/mail", "/data")
    for name, target in (
        ("js", "javascript:alert(1)"),
        ("mail", "mailto:someone@example.org"),
        ("data", "data:text/html,<h1>hi</h1>"),
    ):
        assert rows[name]["outcome"] == "refused", rows[name]
        assert rows[name]["error_message"] == f"redirect to a non-http(s) URL: {target}"


def test_utf16_label_on_a_utf8_page_and_a_real_utf16_page(base_url: str) -> None:
    rows = _crawl(base_url, "/lying-utf16", "/real-utf16")
    for name in ("lying-utf16", "real-utf16"):
        row = rows[name]
        assert row["outcome"] == "ok", row
        assert "En été, les glaciers fondent." in row["content"]
        assert "glaciers are slow rivers" in row["content"]


@pytest.mark.slow
def test_article_after_100000_nested_divs_is_not_ok_and_empty(base_url: str) -> None:
    row = _crawl(base_url, "/deep")["deep"]
    assert row["outcome"] == "ok" and row["error_class"] == "PlainTextFallback"
    assert "Deep article" in row["content"] and "Paragraph 5" in row["content"]


def test_page_without_text_gets_an_outcome_that_says_so(base_url: str) -> None:
    row = _crawl(base_url, "/blank")["blank"]
    assert row["outcome"] == "no_content" and row["content"] == ""
    assert "no visible text" in row["error_message"]


def test_one_url_with_100000_anchor_texts_groups_in_linear_time() -> None:
    items = [
        CrawlItem("https://example.org/a", f"doc{i % 7}", f"anchor {i}") for i in range(100_000)
    ]
    start = time.perf_counter()
    urls, links, invalid = _group(items)
    assert time.perf_counter() - start < 10.0  # was ~65 s
    (entry,) = links.values()
    assert len(entry["anchor_texts"]) == 100_000 and len(entry["linked_from"]) == 7


DENIED = [
    "192.0.0.192",  # Oracle cloud metadata; Python 3.11 calls it global
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "240.0.0.1",
    "255.255.255.255",
    "224.0.0.1",
    "192.88.99.1",
    "100.100.100.200",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::10.0.0.1",
    "64:ff9b:1::1",
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002:7f00:1::1",
    "::a9fe:a9fe",
    "::127.0.0.1",
    "::10.1.2.3",  # IPv4-compatible
    "::ffff:169.254.169.254",
    "::ffff:192.0.0.192",  # IPv4-mapped
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "2001:2::1",
    "5f00::1",
    "fec0::1",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::",
    "::1",
]


@pytest.mark.parametrize("address", DENIED)
def test_special_purpose_addresses_are_refused(address: str) -> None:
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(RefusedURLError, match="non-public"):
        asyncio.run(SafetyPolicy().check(f"http://{literal}/latest/meta-data/"))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"]
)
def test_public_addresses_and_their_ipv6_forms_are_allowed(address: str) -> None:
    assert SafetyPolicy().address_allowed(ipaddress.ip_address(address), "example.org")


def test_embedded_ipv4_is_what_is_decided() -> None:
    v4 = ipaddress.IPv4Address("169.254.169.254")
    for form in ("64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::a9fe:a9fe", "::ffff:a9fe:a9fe"):
        assert embedded_ipv4(ipaddress.ip_address(form)) == [v4]
    teredo = embedded_ipv4(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:f5ff:fffe"))
    assert ipaddress.IPv4Address("10.0.0.1") in teredo
    # An allow-listed private network covers its IPv6 forms too.
    policy = SafetyPolicy(("10.0.0.0/8",))
    assert policy.address_allowed(ipaddress.ip_address("::ffff:10.0.0.1"), "h")
    assert not policy.address_allowed(ipaddress.ip_address("64:ff9b::a9fe:a9fe"), "h")
