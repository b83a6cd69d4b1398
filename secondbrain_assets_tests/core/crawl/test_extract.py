from __future__ import annotations

from secondbrain_assets.core.crawl.extract import _pruning_markdown, browser_reason, extract
from secondbrain_assets_tests.core.crawl.site import ARTICLE, JS_APP


def test_article_rule_keeps_static() -> None:
    page = extract(ARTICLE, "https://fieldnotes.example/glaciers")
    assert page.method == "trafilatura"
    assert browser_reason(ARTICLE, page.markdown) is None


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
    page = extract("<html><head><title>x</title></head><body><footer>(c)</footer></body></html>",
                   "https://x.example/")
    assert page.markdown == "" and page.method == "none" and page.title == "x"


def test_pruning_fallback_drops_navigation() -> None:
    md = _pruning_markdown(ARTICLE, "https://fieldnotes.example/glaciers")
    assert "Plucking and abrasion" in md
    assert "Sign in" not in md
