"""A fetch guard: httpx transports that only ever connect to public addresses.

Checking a URL's host before handing the URL to httpx is not enough: httpx resolves the
name again (a DNS-rebinding server answers a public address to the check and
``127.0.0.1`` to the fetch) and follows redirects on its own (a public page answering
``302 Location: http://169.254.169.254/…``). The transports here sit where httpx
connects, so they see every request, redirect hops included:

1. the host is resolved **once** (an IP literal is taken as it is);
2. every address it resolves to must be public: loopback, private, link-local,
   multicast, reserved, unspecified, shared (CGNAT) and documentation ranges are
   refused, for IPv4 and IPv6, including IPv4 addresses mapped or embedded in IPv6
   (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64);
3. the connection is made to that checked address, the ``Host`` header and the TLS
   server name (SNI, and so certificate verification) staying the URL's host name.

A refused address is a :class:`~summarizer.errors.FetchError` naming the URL (without
credentials). The resolver is injectable, so tests need no network::

    client = httpx.Client(transport=GuardedTransport(resolver=lambda host, port: ["…"]))

Environment proxies are not used through a guarded client (the guard must see the
address it connects to).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from summarizer.errors import FetchError, redact_url

__all__ = [
    "AsyncGuardedTransport",
    "GuardedTransport",
    "Resolver",
    "is_public_address",
    "system_resolver",
]

#: (host name, port) -> the IP addresses (as strings) the name resolves to.
Resolver = Callable[[str, int], Sequence[str]]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# Connections are pooled by address: one made for a name (its TLS name) must not carry a
# request for another name on the same address. No keep-alive; a fetch is a few requests.
_NO_REUSE: dict[str, Any] = {"limits": httpx.Limits(max_keepalive_connections=0)}


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host`` (TCP), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: str | _IPAddress) -> bool:
    """True when ``address`` is a public unicast address a fetch may connect to.

    Refused: loopback, private, link-local, multicast, reserved, unspecified, shared
    (100.64/10), documentation and other non-global ranges, IPv4 and IPv6; an IPv6
    address embedding an IPv4 one (``::ffff:a.b.c.d``, 6to4, Teredo, NAT64) is judged
    by that IPv4 address too. A string that is not an IP address is not public.
    """
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)  # ::ffff:a.b.c.d is a.b.c.d
    if (
        not address.is_global
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local or address in _NAT64_LOCAL:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    return True


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _literal(host: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _checked(url: httpx.URL, addresses: Sequence[str]) -> str:
    """The address to connect to: the first one, once every one is known to be public."""
    shown = redact_url(str(url))
    if not addresses:
        raise FetchError(f"cannot resolve the host of {shown}")
    for address in addresses:
        if not is_public_address(address):
            if _literal(url.host) is not None:
                reason = f"{url.host} is not a public address"
            else:
                reason = f"{url.host} resolves to {address}, not a public address"
            raise FetchError(f"refusing to fetch {shown}: {reason}")
    return str(ipaddress.ip_address(addresses[0].split("%", 1)[0]))


def _resolved(url: httpx.URL, resolver: Resolver) -> str:
    literal = _literal(url.host)
    if literal is not None:
        return _checked(url, [str(literal)])
    try:
        addresses = list(resolver(url.host, _port(url)))
    except (OSError, UnicodeError, ValueError):
        raise FetchError(f"cannot resolve the host of {redact_url(str(url))}") from None
    return _checked(url, addresses)


def _pinned(request: httpx.Request, address: str) -> httpx.Request:
    """``request`` sent to ``address``, with the Host header and the TLS name kept."""
    host = request.url.host
    extensions: dict[str, Any] = dict(request.extensions)
    if request.url.scheme == "https" and _literal(host) is None:
        extensions["sni_hostname"] = host
    headers = httpx.Headers(request.headers)
    headers.setdefault("Host", request.url.netloc.decode("ascii").rsplit("@", 1)[-1])
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address),
        headers=headers,
        stream=request.stream,
        extensions=extensions,
    )


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that connects only to public addresses (see the module doc).

    Args:
        resolver: host and port to addresses (default: the system resolver).
        transport: the transport that makes the connection to the checked address
            (default: an :class:`httpx.HTTPTransport` built with ``options``).
        options: keyword arguments of :class:`httpx.HTTPTransport` (``verify``...).
    """

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        transport: httpx.BaseTransport | None = None,
        **options: Any,
    ) -> None:
        self._resolver = resolver or system_resolver
        self._transport = transport or httpx.HTTPTransport(**(_NO_REUSE | options))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Resolve, check and send one request (one hop of a redirect chain)."""
        address = _resolved(request.url, self._resolver)
        return self._transport.handle_request(_pinned(request, address))

    def close(self) -> None:
        """Close the inner transport."""
        self._transport.close()


class AsyncGuardedTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`GuardedTransport` (the resolver runs in a thread)."""

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> None:
        self._resolver = resolver or system_resolver
        self._transport = transport or httpx.AsyncHTTPTransport(**(_NO_REUSE | options))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Resolve, check and send one request (one hop of a redirect chain)."""
        address = await asyncio.to_thread(_resolved, request.url, self._resolver)
        return await self._transport.handle_async_request(_pinned(request, address))

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._transport.aclose()
