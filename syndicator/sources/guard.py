"""Which URLs and addresses a fetch may reach: the guard against server-side request forgery.

A syndication bot fetches whatever a feed links to (article pages, lead images,
enclosures, redirects) and holds every platform's credentials, so a hostile feed
must not make it read ``http://127.0.0.1:8080/admin`` or the cloud metadata service
at ``169.254.169.254`` and post what it found. The rules, in one place:

- only ``http`` and ``https``;
- a host written as an IP address must be in the one standard spelling (dotted
  decimal, or an IPv6 literal): ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` and
  ``127.1`` all mean 127.0.0.1 to a resolver, and are refused outright;
- every address a host resolves to, and every literal address, must be globally
  routable: loopback, private, link-local, unique-local, site-local, multicast,
  reserved, unspecified, shared (100.64/10) and documentation ranges are refused,
  also when written as an IPv4-mapped, IPv4-compatible or 6to4 IPv6 address;
- except the addresses of the host the fetch is made for (the source's own
  configured host: an intranet news site is allowed to be on 10.0.0.5), and those
  in ``[fetch] allow_private = ["10.0.0.0/8", ...]``.

The addresses are checked after resolution, and the connection goes to an address
that was checked: a second lookup, which a rebinding DNS server would answer
differently, never happens (``guard_aiohttp.GuardedResolver`` is the one lookup). This
module is pure policy; ``guard_aiohttp`` fits it into aiohttp.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "FetchGuard",
    "FetchRefused",
    "Network",
    "address_refusal",
    "host_of",
    "host_refusal",
    "parse_allow_list",
    "scheme_refusal",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A host whose last label is numeric (decimal or 0x hex) is an IPv4 address to every
# resolver (WHATWG URL, inet_aton), whatever else it looks like.
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)\Z")
_DOTTED_DECIMAL = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z"
)
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


class FetchRefused(OSError):
    """A fetch the guard refused: ``url`` (or the host) and ``reason`` say which and
    why. An ``OSError`` so that HTTP clients treat it as a failure to connect (aiohttp
    wraps what a resolver raises into ``ClientConnectorError``, keeping it as the
    cause); ``str()`` is the sentence for the operator."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(13, f"refused to fetch {url}: {reason}")  # 13: EACCES

    def __str__(self) -> str:
        return f"refused to fetch {self.url}: {self.reason}"


def parse_allow_list(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "fd00::/8", "192.168.1.7"]`` as networks. Raises ValueError
    naming the entry that is not an address or a network (host bits set included:
    ``10.0.0.1/8`` is a typo more often than an intent)."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=True))
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not an address or a network in CIDR form: {exc}"
            ) from None
    return tuple(networks)


def scheme_refusal(url: str) -> str | None:
    """Why ``url`` may not be fetched or posted for its scheme, or None when it is
    ``http``/``https``. (``file:``, ``gopher:``, ``javascript:``, ``data:``...)"""
    scheme, colon, _ = url.partition(":")
    if colon and scheme.strip().lower() in ("http", "https"):
        return None
    shown = scheme[:20] + ":" if colon and scheme.isascii() and scheme.isalpha() else "no"
    return f"a {shown} URL (only http and https are fetched)"


def host_of(url: str) -> str:
    """The host of ``url`` as resolvers and connections see it: lower case, IDNA
    (``１２７.０.０.１`` is ``127.0.0.1`` once encoded), without a trailing dot or
    IPv6 brackets; "" when there is none or it cannot be encoded."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return host.lower().rstrip(".")


def host_refusal(host: str) -> str | None:
    """Why a host name (as ``host_of`` gives it) is refused for its spelling alone:
    an IPv4 address written as one integer, in octal or hex, or shortened, or a host
    with percent-escapes. None for host names, dotted decimal and IPv6 literals,
    whose addresses are checked with ``address_refusal``."""
    if not host:
        return "no host in the URL"
    if "%" in host and ":" not in host:
        return f"the host {host!r} is percent-encoded"
    if ":" in host:
        return None if _literal(host) is not None else f"{host!r} is not an IPv6 address"
    last = host.rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.match(last) and not _DOTTED_DECIMAL.match(host):
        return (
            f"the host {host!r} is an IPv4 address in a non-standard spelling "
            "(integer, octal, hex or shortened)"
        )
    return None


def address_refusal(address: str | Address, allow: Sequence[Network] = ()) -> str | None:
    """Why a connection to ``address`` is refused, or None when it is globally
    routable or inside one of the ``allow`` networks."""
    ip = address if not isinstance(address, str) else _literal(address)
    if ip is None:
        return f"{address!r} is not an IP address"
    if any(ip in network for network in allow if network.version == ip.version):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or _compatible(ip)
        if embedded is not None:
            inner = address_refusal(embedded, allow)
            return f"{ip} embeds {inner}" if inner else None
    kind = _kind(ip)
    return f"{ip} is a {kind} address" if kind else None


def _kind(ip: Address) -> str | None:
    """The name of the special range ``ip`` falls in, or None for a public address."""
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unique-local", isinstance(ip, ipaddress.IPv6Address) and ip in _ULA),
        ("site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("shared (carrier-grade NAT)", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-global", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


_ULA = ipaddress.IPv6Network("fc00::/7")


def _compatible(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address of a deprecated IPv4-compatible (``::a.b.c.d``) or NAT64
    (``64:ff9b::a.b.c.d``) address."""
    value = int(ip)
    if value >> 32 == 0 and value > 1:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if value >> 32 == 0x0064FF9B << 64:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.replace("%25", "%"))
    except ValueError:
        return None


@dataclass(frozen=True)
class FetchGuard:
    """The policy for one process: the ``allow_private`` networks from the config.
    ``own_host``, passed per fetch, is the host the fetch is made for (the source's
    configured host, or the URL a person gave ``syndicator post``): its addresses are
    allowed whatever they are."""

    allow_private: tuple[Network, ...] = ()

    def url_refusal(self, url: str, own_host: str | None = None) -> str | None:
        """Why ``url`` may not be fetched, from the URL alone (scheme, host spelling,
        a literal address), or None. A host name's addresses are checked when it is
        resolved (``allowed``)."""
        reason = scheme_refusal(url)
        if reason:
            return reason
        host = host_of(url)
        reason = host_refusal(host)
        if reason or (own_host is not None and host == own_host):
            return reason
        if _literal(host) is not None:
            return address_refusal(host, self.allow_private)
        return None

    def check_url(self, url: str, own_host: str | None = None) -> None:
        """Raise ``FetchRefused`` when ``url_refusal`` has a reason."""
        reason = self.url_refusal(url, own_host)
        if reason:
            raise FetchRefused(url, reason)

    def allowed(self, host: str, addresses: Iterable[str], own_host: str | None) -> list[str]:
        """The addresses of ``addresses`` (what ``host`` resolved to) a connection may
        go to. Raises ``FetchRefused`` naming the host and the first reason when none
        may."""
        candidates = list(addresses)
        if own_host is not None and host == own_host:
            return candidates
        kept, reasons = [], []
        for address in candidates:
            reason = address_refusal(address, self.allow_private)
            if reason:
                reasons.append(reason)
            else:
                kept.append(address)
        if not kept:
            why = reasons[0] if reasons else "it has no address"
            raise FetchRefused(host, f"{host} resolves to {why}")
        return kept
