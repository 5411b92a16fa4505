"""When a failed delivery is tried again: exponential backoff with jitter, capped."""

import random
from datetime import UTC, datetime, timedelta

from app.config import Settings


def retry_at(settings: Settings, attempts: int, *, now: datetime | None = None,
             rng: random.Random | None = None) -> datetime | None:
    """After `attempts` failed ones: base x 2^(attempts-1) (at most the max), jittered to
    between half and all of it so receivers coming back are not hit by every replica at
    once; None when the attempts are used up."""
    if attempts >= settings.webhook_max_attempts:
        return None
    delay = min(settings.webhook_retry_max_seconds,
                settings.webhook_retry_base_seconds * 2 ** (attempts - 1))
    delay *= 0.5 + 0.5 * (rng or random).random()
    return (now or datetime.now(UTC)) + timedelta(seconds=delay)
