"""URL identity: one article, one key, whatever tracking parameters or encoding a link carries; and which
addresses a link may point at."""
from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

LOGGER = logging.getLogger(__name__)

# Query parameters known to say nothing about which page it is: campaign and click trackers that feeds,
# newsletters and share buttons append. Everything else is kept: on ASP.NET and Joomla sites the article
# *is* the query (Story.aspx?NewsID=991, index.php?option=com_content&view=article&id=7).
_TRACKING_PREFIXES = ("utm_", "at_", "ns_", "pk_", "mtm_", "hsa_")
_TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "xtor", "ocid", "cmpid", "ito", "ncid", "sr_share",
    "__twitter_impression", "spm", "vero_id", "oly_enc_id", "oly_anon_id", "wt_mc", "rb_clickid",
})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING or name.startswith(_TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """The URL as it is shown and stored: ASCII-safe (an Arabic path percent-encoded as UTF-8), scheme and
    host in lower case, no default port, no fragment, no tracking parameters. Every other parameter stays,
    in its order: this is still the address the site gave, and it still works."""
    url = url.strip()
    try:
        parts = urlsplit(safe_url_string(url))
        port = parts.port
    except ValueError:  # "http://[::1", a port that is not a number: nothing to normalise
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.netloc.rpartition('@')[0]}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_tracking(k) for k, _ in pairs):
            query = urlencode([(k, v) for k, v in pairs if not _tracking(k)], doseq=False)
    path = parts.path or ("/" if scheme in _DEFAULT_PORTS else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """One page, one key: what decides whether two links are the same article (and the article's id).

    On top of clean_url: equivalent encodings of the path are one (percent-escapes in upper case, escaped
    unreserved characters decoded, an Arabic path raw or escaped: RFC 3986 §6.2.2), query parameters are
    sorted, and a trailing slash is dropped (news sites serve /x and /x/ as the same page; measured none
    that serves two articles there). Only a key: requests go to the URL the feed gave.
    """
    cleaned = clean_url(url)
    try:
        key = canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        return cleaned
    scheme, netloc, path, query, _ = urlsplit(key)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


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
