"""Which URLs a subscription may point at: guarding against server-side request forgery.

Whoever creates a subscription chooses where our servers send requests. Without a check, a
client could aim them at ``http://169.254.169.254/`` (a cloud's metadata service), at
``http://localhost:5432`` or at any host of our private network, and read the answers' status
codes in the delivery log. So a destination must be an ``https`` URL whose host resolves only
to globally routable unicast addresses; the check runs when a subscription is created or
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


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return address.is_global and not address.is_multicast


async def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
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
    if not addresses or not all(_is_public(a) for a in addresses):
        raise DestinationRefusedError(
            "the host is (or resolves to) a loopback, private, link-local or reserved address"
        )
    return url
