"""Our signatures verify with the `standardwebhooks` package; secrets are checked."""

import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from app.config import Settings
from app.errors import InvalidInput
from app.webhooks.backoff import retry_at
from app.webhooks.signing import new_secret, secret_key, signed_headers


def test_signatures_verify_independently():
    secret = new_secret()
    body = json.dumps({"type": "memory.created", "data": {"é": 1}}).encode()
    headers = signed_headers(secret, "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers)["type"] == "memory.created"
    with pytest.raises(Exception):  # noqa: B017 (the package's own error class)
        Webhook(new_secret()).verify(body, headers)


@pytest.mark.parametrize("bad", ["secret", "whsec_", "whsec_!!!!", "whsec_c2hvcnQ=",
                                 "whsec_" + "A" * 120])
def test_bad_secrets_say_what_to_fix(bad):
    with pytest.raises(InvalidInput, match="secret"):
        secret_key(bad)


def test_backoff_doubles_with_jitter_and_stops():
    s = Settings(database_url="postgresql://unused", webhook_retry_base_seconds=10,
                 webhook_retry_max_seconds=60, webhook_max_attempts=5)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [(retry_at(s, n, now=now) - now).total_seconds() for n in range(1, 5)]
    for wait, full in zip(waits, (10, 20, 40, 60), strict=True):
        assert full / 2 <= wait <= full
    assert retry_at(s, 5, now=now) is None
