"""Webhook destinations: every IPv6 form that embeds an IPv4 address is judged on that address,
whether written in the URL or answered by DNS (checked at subscription and before every
delivery attempt, with the same function)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import pytest

from common.webhooks import DestinationPolicy, DestinationRefusedError, check_destination
from common.webhooks.destinations import embedded_ipv4, is_public

STRICT = DestinationPolicy()

# Each an IPv6 spelling of somewhere inside: loopback, private, link-local, metadata, reserved.
REFUSED = [
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",  # mapped metadata
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible loopback
    "::169.254.169.254",
    "::8.8.8.8",  # IPv4-compatible: deprecated, refused whatever it embeds
    "64:ff9b::7f00:1",  # NAT64 well-known prefix to 127.0.0.1
    "64:ff9b::127.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 to 169.254.169.254
    "64:ff9b::c0a8:101",  # NAT64 to 192.168.1.1
    "64:ff9b:1::7f00:1",  # local-use NAT64 (RFC 8215)
    "64:ff9b:1:7f00:0:100::",  # local-use NAT64, /48 layout
    "64:ff9b:1::808:808",  # local-use NAT64 to a public address: still the operator's own
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (obfuscated)
    "2001:0:7f00:1:8000:63bf:f7f7:f7f7",  # Teredo, server 127.0.0.1, client 8.8.8.8
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo, client 169.254.169.254
    "fd00:ec2::254",  # the EC2 metadata service over IPv6
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "2001:db8::1",  # documentation
]

ACCEPTED = [
    "2606:4700:4700::1111",
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "64:ff9b::808:808",  # NAT64 to 8.8.8.8
    "::ffff:8.8.8.8",
]


@pytest.mark.parametrize("address", REFUSED)
async def test_ipv6_forms_reaching_inside_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(DestinationRefusedError):
        await check_destination(f"https://[{address}]/hook", STRICT)


@pytest.mark.parametrize("address", ACCEPTED)
async def test_ipv6_forms_reaching_public_addresses_are_accepted(address: str) -> None:
    url = f"https://[{address}]/hook"
    assert await check_destination(url, STRICT) == url


def test_embedded_ipv4_unwraps_every_form() -> None:
    def v4s(address: str) -> list[str]:
        return [str(a) for a in embedded_ipv4(ipaddress.IPv6Address(address))]

    assert v4s("::ffff:127.0.0.1") == ["127.0.0.1"]
    assert v4s("64:ff9b::7f00:1") == ["127.0.0.1"]
    assert v4s("2002:7f00:1::") == ["127.0.0.1"]
    assert v4s("2001:0:4136:e378:8000:63bf:80ff:fffe") == ["65.54.227.120", "127.0.0.1"]
    assert v4s("2606:4700:4700::1111") == []


@pytest.mark.parametrize("answer", ["64:ff9b::7f00:1", "2002:a9fe:a9fe::", "::ffff:10.1.2.3"])
async def test_a_name_resolving_to_an_embedded_inside_address_is_refused(
    answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the dispatcher meets when a name accepted earlier is re-pointed before a delivery.
    async def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answer, port, 0, 0))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolve)
    with pytest.raises(DestinationRefusedError):
        await check_destination("https://hooks.example.com/in", STRICT)
