"""The one way the server opens a connection to a URL a user gave (the SSRF guard).

Anything that calls a URL typed by a user (webhook deliveries and pings today) goes through
:func:`open_connection`, which:

1. parses the host, reading every legacy form of an IPv4 literal the way the C resolver would
   (``2130706433``, ``0177.0.0.1``, ``127.1``, ``0x7f.1``) and unwrapping IPv6 forms that carry an
   IPv4 address (``::ffff:a9fe:a9fe``, ``::127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``);
2. resolves a name **once** (:func:`resolve`, which tests replace) and refuses the host if *any*
   of its addresses is not public: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
   link-local and cloud metadata (169.254/16, fe80::/10), CGNAT 100.64/10, ``0.0.0.0``,
   multicast, reserved, documentation and benchmark ranges, site-local IPv6;
3. connects to the address it checked (never resolving the name again, so DNS rebinding
   cannot swap it), sends the name in ``Host`` and, for https, in SNI, and verifies the
   certificate against the name.

Redirects are never followed (``http.client`` does not): a 3xx is an answer like any other.

Self-hosters who must call internal receivers list them in ``VINCULO_OUTBOUND_ALLOWED_NETWORKS``
(``settings.OUTBOUND_ALLOWED_NETWORKS``): comma-separated CIDRs or addresses (``10.20.0.0/16``,
``192.168.1.7``) and exact host names (``erp.internal``). Nothing is allowed by default, on any
database. See docs/security.md.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Union
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]  # noqa: UP007  (runtime alias)
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]  # noqa: UP007

# A dotted IPv4 literal in any of the forms inet_aton accepts: 1 to 4 parts, decimal, octal
# (leading 0) or hex (0x).
_LEGACY_V4 = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Not public whatever Python's tables say (``is_global`` misses some on older Pythons).
_NEVER = [
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
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]


class Refused(OSError):
    """The guard refused a target before connecting. ``code`` says why (``private_address``,
    ``unresolvable_host``, ``invalid_url``); ``host`` is the name that was asked for."""

    def __init__(self, code: str, host: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.host = host
        self.detail = detail


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``addresses`` (in order), speak to ``host``."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (the guard's only DNS look-up; tests replace it)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def ssl_context() -> ssl.SSLContext:
    """The TLS settings of outbound https: the system's CAs, host names checked."""
    return ssl.create_default_context()


def literal(host: str) -> Address | None:
    """``host`` read as an IP address in any form the resolver would accept, or None."""
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _LEGACY_V4.fullmatch(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _embedded_v4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _V4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """True for an address anyone on the internet could reach; False for loopback, private,
    link-local (cloud metadata), CGNAT, unspecified, multicast, reserved and documentation
    ranges, and for IPv6 forms of such IPv4 addresses."""
    inner = _embedded_v4(address)
    if inner is not None:
        return is_public(inner)
    if isinstance(address, ipaddress.IPv6Address) and address.teredo is not None:
        return False
    if any(address in network for network in _NEVER):
        return False
    return bool(
        address.is_global
        and not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        )
    )


@lru_cache(maxsize=8)
def _rules(entries: tuple[str, ...]) -> tuple[tuple[Network, ...], frozenset[str]]:
    networks: list[Network] = []
    names: set[str] = set()
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        name = entry.lower().rstrip(".")
        if "/" in name or ":" in name or not re.fullmatch(r"[a-z0-9._-]+", name):
            raise ImproperlyConfigured(
                f"VINCULO_OUTBOUND_ALLOWED_NETWORKS: {entry!r} is neither a network "
                "(10.0.0.0/8, 192.168.1.7, fd00::/8) nor a host name (erp.internal)"
            )
        names.add(name)
    return tuple(networks), frozenset(names)


def allowed_rules() -> tuple[tuple[Network, ...], frozenset[str]]:
    """The self-hoster's exceptions: networks and host names that may be called although not
    public (``settings.OUTBOUND_ALLOWED_NETWORKS``); raises ImproperlyConfigured on a bad entry."""
    entries = getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", None) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _rules(tuple(str(e) for e in entries))


def _permitted(address: Address, networks: tuple[Network, ...]) -> bool:
    if is_public(address):
        return True
    inner = _embedded_v4(address)
    return any(a in n for n in networks for a in (address, inner) if a is not None)


def check_host(host: str, port: int) -> tuple[str, ...]:
    """The addresses to connect to for ``host``: resolved once, every one of them public or
    allowed. Raises :class:`Refused` otherwise (before any connection is made)."""
    networks, names = allowed_rules()
    name = host.lower().rstrip(".")
    fixed = literal(name)
    if fixed is not None:
        addresses: list[Address] = [fixed]
    elif name == "localhost" or name.endswith(".localhost"):
        # Loopback by definition (RFC 6761), whatever a resolver says.
        addresses = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    else:
        try:
            found = resolve(name, port)
        except (OSError, UnicodeError):
            found = []
        addresses = [a for a in (literal(f) for f in found) if a is not None]
        if not addresses:
            raise Refused("unresolvable_host", host, f"the host {host} cannot be resolved")
    if name not in names:
        for address in addresses:
            if not _permitted(address, networks):
                shown = f"{host} ({address})" if fixed is not None else host
                raise Refused(
                    "private_address",
                    host,
                    f"{shown} is not a public address; "
                    "VINCULO_OUTBOUND_ALLOWED_NETWORKS can allow it",
                )
    return tuple(str(a) for a in addresses)


def parse_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, host (lower case), port and request target (path and query) of an http(s) URL;
    raises :class:`Refused` (``invalid_url``) for anything else. Resolves nothing."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("invalid_url", "", "the URL cannot be read") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise Refused("invalid_url", host, "only http and https URLs with a host are called")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path


def check_url(url: str) -> Target:
    """Parse ``url`` (:func:`parse_url`) and check its host (:func:`check_host`)."""
    scheme, host, port, path = parse_url(url)
    return Target(scheme, host, port, path, check_host(host, port))


def _connect_socket(target: Target, timeout: float | None) -> socket.socket:
    last: OSError | None = None
    for address in target.addresses:
        try:
            sock = socket.create_connection((address, target.port), timeout)
        except OSError as exc:
            last = exc
            continue
        # Small request, small answer: without this, Nagle and delayed ACKs add ~40 ms each.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last or OSError(f"no address to connect to for {target.host}")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, speaking to the host name of the URL."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect_socket(self.target, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; SNI and certificate check use the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        self.tls = ssl_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.target = target

    def connect(self) -> None:
        sock = _connect_socket(self.target, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.target.host)
        except BaseException:
            sock.close()
            raise


def open_connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    """A connected keep-alive connection to ``target`` (checked by :func:`check_url`)."""
    cls = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    conn = cls(target, timeout)
    conn.connect()
    return conn
