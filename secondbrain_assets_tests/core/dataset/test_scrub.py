"""PII scrub: each kind found and counted; look-alikes (dates, IPs, non-Luhn numbers) left alone."""

from __future__ import annotations

from collections import Counter

import pytest

from secondbrain_assets.core.dataset.scrub import luhn_ok, scrub_text, scrub_value

FOUND = [
    ("mail me at jane.doe+notes@example.co.uk today", "email", "[EMAIL]"),
    ("call +44 20 7946 0958 after six", "phone", "[PHONE]"),
    ("office (030) 1234-5678 ext", "phone", "[PHONE]"),
    ("US 415-555-0132 line", "phone", "[PHONE]"),
    ("token hf_AbCdEfGhIjKlMnOpQrStUvWxYz123456 here", "hf_token", "[SECRET]"),
    ("key sk-proj-abcdefghijklmnopqrstuvwxyz0123 here", "openai_key", "[SECRET]"),
    ("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 x", "github_token", "[SECRET]"),
    ("aws AKIAIOSFODNN7EXAMPLE key", "aws_key", "[SECRET]"),
    ("slack xoxb-123456789012-abcdefABCDEF ok", "slack_token", "[SECRET]"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.SflKxwRJSMeKKF2QT4fwpM ok", "jwt", "[SECRET]"),
    ("pay to DE89 3704 0044 0532 0130 00 please", "iban", "[IBAN]"),
    ("pay to GB82WEST12345698765432 please", "iban", "[IBAN]"),
    ("card 4111 1111 1111 1111 exp", "card", "[CARD]"),
    ("card 5500-0000-0000-0004 exp", "card", "[CARD]"),
]


@pytest.mark.parametrize(("text", "kind", "placeholder"), FOUND)
def test_each_kind_is_replaced_and_counted(text: str, kind: str, placeholder: str) -> None:
    counts: Counter[str] = Counter()
    out = scrub_text(text, counts)
    assert counts == Counter({kind: 1}), out
    assert placeholder in out
    assert out.split()[0] == text.split()[0] and out.split()[-1] == text.split()[-1]


@pytest.mark.parametrize(
    "text",
    [
        "released on 2024-01-15 at noon",
        "server 192.168.10.20 answers",
        "order 4111 1111 1111 1112 (fails Luhn)",
        "ISBN 978-3-16-148410-0 and version 1.2.3",
        "product code DE00 1234 5678 9012 3456 78 (bad IBAN checksum)",
        "the sky-blue hf_ prefix alone",
    ],
)
def test_look_alikes_stay(text: str) -> None:
    counts: Counter[str] = Counter()
    assert scrub_text(text, counts) == text
    assert not counts


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_nested_chat_messages_are_scrubbed() -> None:
    counts: Counter[str] = Counter()
    value = [
        {"role": "user", "content": "a@b.io and c@d.io"},
        {"role": "assistant", "content": "x"},
    ]
    out = scrub_value(value, counts)
    assert out[0]["content"] == "[EMAIL] and [EMAIL]"
    assert counts["email"] == 2
