"""One delivery attempt: resolve the endpoint's host, refuse a private address (unless
allowed), connect to the checked address itself (so DNS cannot change in between), POST the
signed body, follow no redirect. Any 2xx is delivered; anything else is a failure to retry."""

import asyncio
import time
from dataclasses import dataclass

import httpx

from app.repositories.webhooks_rows import Attempt
from app.webhooks import message
from app.webhooks.signing import signed_headers
from app.webhooks.url_guard import RefusedAddress, check_addresses, parse_url, resolve


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None


def _pinned_url(attempt: Attempt, address: str) -> tuple[str, dict[str, str], dict]:
    """The URL with the checked address in place of the host; Host and TLS (SNI and
    certificate check) still name the host."""
    target = parse_url(attempt.url)
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{target.port}"
    url = target.url._replace(netloc=netloc).geturl()
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    return url, {"host": target.url.netloc}, extensions


async def attempt_delivery(client: httpx.AsyncClient, attempt: Attempt, *,
                           allow_private: bool, timeout: float) -> Outcome:
    target = parse_url(attempt.url)
    try:
        addresses = await resolve(target.host, target.port)
        check_addresses(target.host, addresses, allow_private)
    except RefusedAddress as exc:
        return Outcome(False, error=f"refused: {exc}")
    except (OSError, TimeoutError) as exc:
        return Outcome(False, error=f"cannot resolve {target.host}: {exc}")
    url, host_header, extensions = _pinned_url(attempt, str(addresses[0]))
    body = message.body(attempt.event)
    headers = {**signed_headers(attempt.secret, message.message_id(attempt.event.id),
                                int(time.time()), body), **host_header}
    try:
        # The whole attempt is bounded, not only each read: a receiver that trickles its
        # answer cannot hold a worker slot.
        async with asyncio.timeout(timeout):
            async with client.stream("POST", url, content=body, headers=headers,
                                     extensions=extensions,
                                     follow_redirects=False) as response:
                status = response.status_code  # the body is never read
    except TimeoutError:
        return Outcome(False, error=f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}" if str(exc)
                       else type(exc).__name__)
    if 200 <= status < 300:
        return Outcome(True, status)
    if 300 <= status < 400:
        return Outcome(False, status, f"answered {status}; redirects are not followed")
    return Outcome(False, status, f"answered {status}")
