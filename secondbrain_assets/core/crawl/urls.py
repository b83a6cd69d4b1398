"""URL normalization and stable ids for web pages.

Two links that point at the same page must get the same id, so the page is fetched and stored
once: scheme and host are lower-cased, default ports, fragments and tracking parameters are dropped
and the query is sorted. The id is the first 32 hex characters of sha256(normalized URL), the same
width as a Notion id.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Click-tracking parameters that never change the page served (Google Analytics, Facebook, Google
# Ads, Microsoft Ads, Mailchimp, Yandex, HubSpot, Instagram, Matomo/Piwik).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "yclid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "twclid",
        "ttclid",
        "srsltid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

# Characters left unescaped in a path / query value: RFC 3986 unreserved + sub-delims + ":@/".
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class InvalidURLError(ValueError):
    """The text is not a URL we can fetch (no host, bad port, unparsable)."""


def _is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES)


def _normalize_path(path: str) -> str:
    if not path:
        return "/"
    # Re-encode consistently: decode what is safe to decode, keep %2F (an encoded slash) intact.
    parts = [quote(unquote(p), safe=_PATH_SAFE) for p in re.split("%2[fF]", path)]
    path = "%2F".join(parts)
    trailing = path.endswith("/")
    path = posixpath.normpath(path) if path not in ("", "/") else "/"
    path = re.sub(r"^/+", "/", path)
    if trailing and not path.endswith("/"):
        path += "/"
    return path if path.startswith("/") else "/" + path


def _normalize_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise InvalidURLError("URL has no host name")
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalize_url(raw: str) -> str:
    """Return the canonical form of `raw`; raise InvalidURLError when it cannot be a web URL."""
    text = (raw or "").strip()
    if not text:
        raise InvalidURLError("empty URL")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"unparsable URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidURLError("URL has no scheme (expected http:// or https://)")
    if scheme not in DEFAULT_PORTS:
        # Keep other schemes recognisable (mailto:, ftp:) so safety can refuse them by name.
        return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, ""))
    host = _normalize_host(parts.hostname or "")
    netloc = host
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{host}"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query_items = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query = urlencode(sorted(query_items), quote_via=quote, safe=_PATH_SAFE.replace("&", ""))
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), query, ""))


def url_id(normalized: str) -> str:
    """Stable 32-hex id of an already normalized URL."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:32]


def host_of(url: str) -> str:
    """Host name (lower case, no port) or "" when there is none."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
