"""Which URLs a subscription may point at: guarding against server-side request forgery.

Whoever creates a subscription chooses where our servers send requests. Without a check, a
client could aim them at ``http://169.254.169.254/`` (a cloud's metadata service), at
``http://localhost:5432`` or at any host of our private network, and read the answers' status
codes in the delivery log. So a destination must be an ``https`` URL whose host resolves only
to globally routable unicast addresses (an IPv6 address is judged on the IPv4 address it
embeds too: mapped, NAT64, 6to4, Teredo); the check runs when a subscription is created or
changed, and again before every attempt (a name can be re-pointed after it was accepted).

This narrows the hole but a resolver can still answer differently between the check and the
connection; production should also send webhooks through an egress proxy that refuses private
ranges (the Standard Webhooks specification recommends one) from a subnet that reaches no
internal service. Tests and ``make run`` allow private addresses and plain http.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048


class DestinationRefusedError(ValueError):
    """The URL may not receive webhooks; ``str(error)`` is safe to show the client."""


@dataclass(frozen=True)
class DestinationPolicy:
    allow_private: bool = False  # loopback, private, link-local... (tests, ``make run``)
    allow_http: bool = False  # plain http; otherwise https only


Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges refused outright: IPv4-compatible addresses (``::a.b.c.d``, deprecated by RFC
# 4291; no host has one, and some stacks route them to the IPv4 address) and the local-use
# NAT64 prefix (RFC 8215: the operator's own translator, never global). Older Pythons call
# both "global".
_REFUSED_IPV6 = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
# The well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address leads to: mapped (``::ffff:a.b.c.d``), NAT64
    (``64:ff9b::a.b.c.d``), 6to4 (``2002:AABB:CCDD::``) and Teredo (server and client, the
    client's bits de-obfuscated); empty for any other address."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _NAT64:
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo
    return ()


def _is_public_ipv4(address: ipaddress.IPv4Address) -> bool:
    return address.is_global and not address.is_multicast


def is_public(address: Address) -> bool:
    """Globally routable unicast, judged on every IPv4 address an IPv6 one embeds: a
    translator or tunnel would carry ``64:ff9b::7f00:1`` to 127.0.0.1."""
    if isinstance(address, ipaddress.IPv4Address):
        return _is_public_ipv4(address)
    if any(address in network for network in _REFUSED_IPV6):
        return False
    embedded = embedded_ipv4(address)
    if address.ipv4_mapped is not None or address in _NAT64:
        # Only the IPv4 address is ever reached (Pythons disagree on the IPv6 verdict).
        return _is_public_ipv4(embedded[0])
    if embedded and not all(_is_public_ipv4(v4) for v4 in embedded):
        return False
    return address.is_global and not address.is_multicast


async def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DestinationRefusedError(f"the host {host!r} does not resolve") from exc
    # sockaddr[0] is the address; an IPv6 one may carry a %scope suffix.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_destination(url: str, policy: DestinationPolicy) -> str:
    """``url`` when it may receive webhooks under ``policy``; DestinationRefusedError if not."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefusedError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefusedError("not a valid URL") from exc
    allowed = {"https", "http"} if policy.allow_http else {"https"}
    if parts.scheme not in allowed:
        raise DestinationRefusedError(f"the scheme must be {' or '.join(sorted(allowed))}")
    if not parts.hostname:
        raise DestinationRefusedError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefusedError("credentials in the URL are not accepted")
    if policy.allow_private:
        return url
    default_port = 443 if parts.scheme == "https" else 80
    addresses = await _addresses(parts.hostname, port or default_port)
    if not addresses or not all(is_public(a) for a in addresses):
        raise DestinationRefusedError(
            "the host is (or resolves to) a loopback, private, link-local or reserved address"
        )
    return url
