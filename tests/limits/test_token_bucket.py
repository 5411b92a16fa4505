"""The token bucket on a clock the test moves: burst, refill, the wait it reports."""

from app.limits import token_bucket
from app.limits.token_bucket import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate():
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)  # one token a second
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == 1  # empty: one token in a second
    clock.now += 0.5
    assert buckets.take("a") == 1  # half a token: still a (rounded up) second away
    clock.now += 0.5
    assert buckets.take("a") == 0
    clock.now += 100  # refills to the burst, not beyond
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 1]


def test_the_wait_is_whole_seconds_until_the_next_token():
    clock = Clock()
    buckets = TokenBuckets(per_minute=6, burst=1, clock=clock)  # one token per 10 s
    assert buckets.take("a") == 0
    assert buckets.take("a") == 10
    clock.now += 7.5
    assert buckets.take("a") == 3


def test_callers_have_their_own_buckets():
    buckets = TokenBuckets(per_minute=60, burst=1, clock=Clock())
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0


def test_idle_callers_are_forgotten(monkeypatch):
    monkeypatch.setattr(token_bucket, "SWEEP_EVERY", 4)
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=2, clock=clock)  # full again after 2 s
    buckets.take("old")
    clock.now += 5
    for name in ("a", "b", "c"):
        buckets.take(name)  # the 4th new caller sweeps
    assert set(buckets._buckets) == {"a", "b", "c"}
    buckets.take("old")
    assert "old" in buckets._buckets
