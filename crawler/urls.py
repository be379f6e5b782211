"""Canonical URLs: one article, one key, whatever tracking parameters a feed appended."""
from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

import courlan

LOGGER = logging.getLogger(__name__)


def canonical_url(url: str) -> str:
    """Lower-cased host, no fragment, no tracking parameters (utm_*, fbclid, gclid, ...): courlan's strict mode."""
    try:
        return courlan.normalize_url(url.strip(), strict=True)
    except (ValueError, AttributeError):  # courlan rejects what urlsplit cannot parse
        return url.strip()


def same_site(a: str, b: str) -> bool:
    """True when both URLs are on the same host, ignoring a leading www."""
    ha, hb = (urlsplit(u).hostname or "" for u in (a, b))
    return ha.removeprefix("www.") == hb.removeprefix("www.") and bool(ha)


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)


def address_class(url: str) -> str:
    """Classify the host of a URL as written: "public", "private", "loopback" or "link_local".

    Literal addresses (in every form browsers and curl accept) and local names are judged here. A host
    name is "public" here: what it resolves to is judged before the download connects
    (crawler/resolver.py), where resolving does not block the reactor thread.
    """
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in ("localhost", "ip6-localhost", "ip6-loopback") or host.endswith(".localhost"):
        return "loopback"
    if host in ("metadata.google.internal", "metadata"):
        return "link_local"
    return address_kind(host) if literal_address(host) else "public"


def literal_address(host: str) -> str | None:
    """The IP address a host written as one stands for (also 2852039166 or 0xa9.0xfe.0xa9.0xfe), else None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def address_kind(address: str) -> str:
    """Classify an IP address: "public", "private", "loopback" or "link_local" (reserved, unspecified and
    multicast addresses count as private)."""
    addr = ipaddress.ip_address(literal_address(address) or address)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_link_local:
        return "link_local"
    if addr.is_loopback:
        return "loopback"
    if addr.is_private or addr.is_reserved or addr.is_unspecified or addr.is_multicast:
        return "private"
    return "public"


def is_local(url: str) -> bool:
    """A loopback or private address: allowed only for a source whose own feed (or a user-given URL) is one."""
    return address_class(url) in ("loopback", "private")
