"""Where a webhook may point: http(s) to public addresses only (no loopback, private,
link-local, metadata, multicast or reserved ones) unless WEBHOOK_ALLOW_PRIVATE_URLS. Checked
at registration and again at every delivery on the addresses actually connected to, since
DNS may change in between."""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0


class RefusedAddress(Exception):
    """The host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    url: SplitResult
    host: str
    port: int


def parse_url(url: str) -> Target:
    """The URL's parts, or 422 saying what to fix."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"url is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url must be an absolute http:// or https:// URL with a host, "
                           f"got {url!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url must not carry credentials (user:password@); the signature "
                           "proves the sender")
    if parts.fragment:
        raise InvalidInput("url must not have a #fragment")
    return Target(parts, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def refusal(address: IPAddress) -> str | None:
    """Why an address is not reachable for webhooks, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_multicast or not address.is_global:
        kind = ("loopback" if address.is_loopback else "link-local (metadata)"
                if address.is_link_local else "multicast" if address.is_multicast
                else "private or reserved")
        return f"{address} is a {kind} address"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host has (a literal address is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):  # wait_for may lose a cancel (3.11)
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def check_addresses(host: str, addresses: list[IPAddress], allow_private: bool) -> None:
    """Every address must be allowed: a name resolving to a public and a private address
    could be steered to the private one."""
    if allow_private:
        return
    for address in addresses:
        if why := refusal(address):
            raise RefusedAddress(f"{host} resolves to {why}; webhooks reach only public "
                                 "addresses (WEBHOOK_ALLOW_PRIVATE_URLS=true allows others)")


async def check_registration(url: str, allow_private: bool) -> None:
    """422 for a malformed URL or one that reaches a refused address now. A name that does
    not resolve yet is accepted: every delivery resolves and checks it again."""
    target = parse_url(url)
    try:
        addresses = await resolve(target.host, target.port)
    except (OSError, TimeoutError):
        return
    try:
        check_addresses(target.host, addresses, allow_private)
    except RefusedAddress as exc:
        raise InvalidInput(f"url refused: {exc}") from exc
