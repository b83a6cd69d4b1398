"""Personal data scrub applied to everything published: contacts, secrets, bank and card numbers.

Each kind is replaced by a visible placeholder (`[EMAIL]`, `[SECRET]`, ...) and counted, so the
metadata says what was found without showing it. Patterns are deliberately broad for secrets
(a false positive costs a word of training text; a leaked key costs the key).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

# Order matters: secrets and IBANs before phone numbers, whose digit runs they contain.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")),
    ("jwt", re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")),
    ("hf_token", re.compile(r"\bhf_[A-Za-z0-9]{20,}")),
    ("openai_key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})")),
    ("aws_key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")),
)
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
# International or national formats with separators; bare digit runs are left to the card rule.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+\d{1,3}[\s.-]?)?\(\d{1,4}\)[\s.-]?\d{2,4}(?:[\s.-]\d{2,4}){1,3}"  # (030) ..
    r"|(?:\+\d{1,3}[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){2,4})(?!\w)"  # +44 20 7946 0958, 415-555-0132
)
PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "iban": "[IBAN]",
}
KINDS = (*(name for name, _ in _PATTERNS), "card", "phone")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban_ok(text: str) -> bool:
    # ISO 13616 mod-97 check, so product codes that look like IBANs stay.
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def scrub_text(text: str, counts: Counter[str]) -> str:
    """`text` with every finding replaced; `counts` gains one per finding, by kind."""
    for kind, pattern in _PATTERNS:
        check: Callable[[str], bool] = _iban_ok if kind == "iban" else (lambda _: True)
        text = pattern.sub(_replacer(kind, counts, check), text)
    text = _CARD.sub(_replacer("card", counts, lambda s: luhn_ok(re.sub(r"\D", "", s))), text)
    return _PHONE.sub(_replacer("phone", counts, _looks_like_phone), text)


_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def _looks_like_phone(match: str) -> bool:
    # Dates and IPv4 addresses have the same shape as phone numbers; they are not personal.
    if _DATE.match(match) or _IPV4.match(match):
        return False
    digits = re.sub(r"\D", "", match)
    return 7 <= len(digits) <= 15


def _replacer(kind: str, counts: Counter[str], check: Callable[[str], bool]) -> Callable:
    placeholder = PLACEHOLDERS.get(kind, "[SECRET]")

    def replace(match: re.Match[str]) -> str:
        if not check(match.group(0)):
            return match.group(0)
        counts[kind] += 1
        return placeholder

    return replace


def scrub_value(value: object, counts: Counter[str]) -> object:
    """Strings, and strings inside lists and dicts (chat messages), scrubbed; the rest unchanged."""
    if isinstance(value, str):
        return scrub_text(value, counts)
    if isinstance(value, list):
        return [scrub_value(item, counts) for item in value]
    if isinstance(value, dict):
        return {key: scrub_value(item, counts) for key, item in value.items()}
    return value
