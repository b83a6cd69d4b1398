"""Keep MongoDB credentials out of logs, errors and metadata.

A URI such as `mongodb://app:s3cret@db.example:27017/?authSource=admin` carries the password in its
user-info part, and a few query options carry secrets too (TLS key passwords, AWS session tokens).
"""

from __future__ import annotations

import re

_SCHEME_RE = re.compile(r"^(?P<scheme>mongodb(?:\+srv)?://)(?P<rest>.*)$", re.IGNORECASE)
# Query options whose value is a secret (MongoDB connection-string spec names).
_SECRET_OPTIONS = ("tlscertificatekeyfilepassword", "authmechanismproperties", "password")
_MASK = "***"


def _split(uri: str) -> tuple[str, str, str, str]:
    """(scheme, userinfo, hosts, tail), without validating or resolving (no DNS for +srv)."""
    match = _SCHEME_RE.match(uri.strip())
    if not match:
        return "", "", "", uri
    scheme, rest = match.group("scheme"), match.group("rest")
    authority, sep, tail = rest.partition("/")
    if not sep:
        authority, sep, tail = rest.partition("?")
        tail = f"?{tail}" if sep else ""
    else:
        tail = f"/{tail}"
    # The password may itself contain '@' when not percent-encoded: split on the last one.
    userinfo, at, hosts = authority.rpartition("@")
    return scheme, (userinfo + at), hosts, tail


def redact_uri(uri: str) -> str:
    """The URI with its password and secret options replaced by `***`; safe to log."""
    scheme, userinfo, hosts, tail = _split(uri)
    if not scheme:
        return _MASK if uri else ""
    if userinfo:
        user, colon, _password = userinfo[:-1].partition(":")
        userinfo = f"{user}:{_MASK}@" if colon else f"{user}@"
    base, qmark, query = tail.partition("?")
    if qmark:
        parts = []
        for item in query.split("&"):
            key, eq, _value = item.partition("=")
            parts.append(f"{key}={_MASK}" if eq and key.lower() in _SECRET_OPTIONS else item)
        tail = f"{base}?{'&'.join(parts)}"
    return f"{scheme}{userinfo}{hosts}{tail}"


def uri_hosts(uri: str) -> str:
    """Only the host list (`host:port[,host:port]`), for error messages that name the server."""
    scheme, _userinfo, hosts, _tail = _split(uri)
    return hosts if scheme else "<not a mongodb:// URI>"


def scrub(text: str, uri: str) -> str:
    """Remove the URI's password from free text, e.g. a driver error message."""
    _scheme, userinfo, _hosts, _tail = _split(uri)
    _user, colon, password = userinfo[:-1].partition(":") if userinfo else ("", "", "")
    if colon and password:
        text = text.replace(password, _MASK)
    return text.replace(uri, redact_uri(uri)) if uri else text
