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

# Cloud instance-metadata endpoints (AWS/GCP/Azure and Oracle IPv4, Alibaba, AWS ECS, AWS IPv6):
# refused even when the rest of link-local or private space is allow-listed, unless named
# explicitly.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "192.0.0.192", "100.100.100.200", "fd00:ec2::254")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
ALLOWED_SCHEMES = frozenset({"http", "https"})

# IANA special-purpose address registries (iana-ipv4/ipv6-special-registry, 2024), plus
# multicast and reserved space: never a public web server. An explicit list because
# `is_global` alone misses some (Python 3.11 calls 192.0.0.192, a cloud metadata address,
# global). IPv6 forms that embed an IPv4 address are decided on that address instead.
DENIED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2620:4f:8000::/48",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class RefusedURLError(Exception):
    """The URL is not fetched on purpose (scheme or address not allowed)."""


class ResolveError(OSError):
    """The host name does not resolve (offline, typo, dead domain)."""


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: mapped, compatible, NAT64, 6to4, Teredo."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # (server, client): both must be public
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _is_public(ip: IPAddress) -> bool:
    embedded = embedded_ipv4(ip)
    if embedded:
        return all(_is_public(v4) for v4 in embedded)
    if any(ip in net for net in DENIED_NETWORKS if net.version == ip.version):
        return False
    # is_global stays as a second guard for ranges a newer registry may add.
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
        embedded = embedded_ipv4(ip)
        if embedded and all(any(v4 in net for net in self._networks) for v4 in embedded):
            return True
        if ip in METADATA_ADDRESSES or any(v4 in METADATA_ADDRESSES for v4 in embedded):
            return False
        return _is_public(ip)

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
