"""Which URLs the crawler may fetch.

Links in notes are untrusted input: a link (or a redirect) to 127.0.0.1, the LAN or a cloud metadata
endpoint would let an export probe the machine that runs the pipeline (SSRF). Only http(s) is
fetched, and every address a host resolves to must be public unless the configuration allows it.
Every redirect hop goes through the same check.

`check` returns the vetted addresses and the HTTP path connects to one of them (Host header and TLS
SNI keep the name), so a DNS answer that changes between check and connect (DNS rebinding) cannot
redirect the request. Known limit: sub-resources a page loads inside Chromium are not filtered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance-metadata endpoints (AWS/GCP/Azure IPv4, AWS IPv6): refused even when the rest of
# link-local or private space is allow-listed, unless named explicitly.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
ALLOWED_SCHEMES = frozenset({"http", "https"})


class RefusedURLError(Exception):
    """The URL is not fetched on purpose (scheme or address not allowed)."""


class ResolveError(OSError):
    """The host name does not resolve (offline, typo, dead domain)."""


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local, shared (100.64/10), reserved and
    # documentation ranges; multicast is global for some ranges but never a web server.
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class SafetyPolicy:
    """Entries of `allow_private` (hosts, addresses, CIDR networks) may be non-public."""

    allow_private: tuple[str, ...] = ()
    _hosts: frozenset[str] = field(init=False, repr=False)
    _networks: tuple[IPNetwork, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hosts, networks = set(), []
        for entry in self.allow_private:
            entry = entry.strip().lower().strip("[]")
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry)
        object.__setattr__(self, "_hosts", frozenset(hosts))
        object.__setattr__(self, "_networks", tuple(networks))

    @classmethod
    def from_list(cls, entries: Iterable[str] | None) -> SafetyPolicy:
        return cls(tuple(entries or ()))

    def address_allowed(self, ip: IPAddress, host: str) -> bool:
        if host in self._hosts:
            return True
        if any(ip in net for net in self._networks):
            return True
        return _is_public(ip) and ip not in METADATA_ADDRESSES

    async def check(self, url: str) -> list[IPAddress]:
        """The addresses `url` may be fetched from; RefusedURLError (policy), ResolveError (DNS)."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise RefusedURLError(f"scheme {parts.scheme or '(none)'!r} is not http(s)")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise RefusedURLError("URL has no host")
        if host in METADATA_HOSTS and host not in self._hosts:
            raise RefusedURLError(f"{host} is a cloud metadata host")
        addresses = await resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        for ip in addresses:
            if not self.address_allowed(ip, host):
                raise RefusedURLError(
                    f"{host} resolves to non-public address {ip}; add it to the crawler's "
                    "allow_private list if this is intended"
                )
        return addresses


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveError(f"cannot resolve {host}: {exc}") from exc
    addrs = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        addrs.append(ipaddress.ip_address(raw))
    if not addrs:
        raise ResolveError(f"{host} has no addresses")
    return addrs
