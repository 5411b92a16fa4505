"""URLs to private, loopback, link-local or metadata addresses are refused at registration
and again at delivery, on the address actually connected to (DNS may change)."""

import ipaddress
from datetime import UTC, datetime

import httpx
import pytest

from app.repositories.webhooks_rows import Attempt, EventRecord
from app.webhooks.delivery import attempt_delivery
from app.webhooks.url_guard import refusal

REFUSED = ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/",
           "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data/",
           "http://[::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/",
           "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/"]


@pytest.fixture
def strict_settings(hook_settings):
    return hook_settings.model_copy(update={"webhook_allow_private_urls": False})


async def test_private_urls_are_refused_at_registration(strict_settings, embedder):
    from tests.webhooks.conftest import open_hook_client

    async with open_hook_client(strict_settings, embedder) as client:
        for url in REFUSED:
            response = await client.post("/v1/webhooks", json={"url": url})
            assert response.status_code == 422, (url, response.text)
            detail = response.json()["detail"]
            assert "url refused" in detail and "WEBHOOK_ALLOW_PRIVATE_URLS" in detail, detail
        # a public address, and a name that does not resolve yet (checked at each delivery)
        for url in ("https://8.8.8.8/hook", "https://hooks.invalid/hook"):
            response = await client.post("/v1/webhooks", json={"url": url})
            assert response.status_code == 201, (url, response.text)


def test_refusal_names_the_kind_of_address():
    assert "loopback" in refusal(ipaddress.ip_address("127.0.0.1"))
    assert "link-local" in refusal(ipaddress.ip_address("169.254.169.254"))
    assert "loopback" in refusal(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert refusal(ipaddress.ip_address("93.184.216.34")) is None


async def test_delivery_checks_the_address_it_connects_to(receiver):
    """An endpoint registered while allowed (or whose name later resolves privately) is
    refused at delivery: nothing reaches the receiver."""
    event = EventRecord(1, "memory.created", ("memories",), "s", {}, datetime.now(UTC))
    receiver.secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
        attempt = Attempt(1, 1, url, receiver.secret, event)
        async with httpx.AsyncClient() as client:
            outcome = await attempt_delivery(client, attempt, allow_private=False, timeout=2)
        assert not outcome.delivered and outcome.error.startswith("refused:"), outcome
    assert receiver.hits == []
    async with httpx.AsyncClient() as client:
        allowed = await attempt_delivery(client, Attempt(1, 1, receiver.url.replace(
            "127.0.0.1", "localhost"), receiver.secret, event), allow_private=True, timeout=2)
    assert allowed.delivered and receiver.bad_signatures == 0  # Host and signature intact


async def test_a_redirect_is_a_failed_attempt_not_followed(receiver):
    event = EventRecord(1, "memory.created", ("memories",), "s", {}, datetime.now(UTC))
    receiver.secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    receiver.status = 307
    async with httpx.AsyncClient(follow_redirects=False) as client:
        outcome = await attempt_delivery(client, Attempt(1, 1, receiver.url, receiver.secret,
                                                         event), allow_private=True, timeout=2)
    assert not outcome.delivered and outcome.status_code == 307
    assert "redirects are not followed" in outcome.error and len(receiver.hits) == 1
