"""BoundedWaits without a database: work that, like a psycopg query on a dead socket, takes
long to end once cancelled is given up on at the timeout, not when it ends."""

import asyncio
import time

import pytest

from app.db.bounded_wait import BoundedWaits, NoAnswer


async def slow_to_cancel(ended: list[str]) -> str:
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        try:
            await asyncio.sleep(30)  # psycopg asking a server that does not answer
        finally:
            ended.append("closed")
        raise
    return "answer"


async def test_the_caller_waits_the_timeout_not_the_cancellation():
    waits, ended = BoundedWaits(), []
    start = time.monotonic()
    with pytest.raises(NoAnswer, match="no answer within 0.2 s"):
        await waits.within(slow_to_cancel(ended), 0.2)
    assert time.monotonic() - start < 2.0  # 0.2 s, and room for a loaded machine
    assert waits.given_up == 1 and ended == []  # still ending in the background
    start = time.monotonic()
    await waits.end_all(timeout=5)  # a second cancellation ends it at once
    assert time.monotonic() - start < 2.0  # 0.2 s, and room for a loaded machine
    await asyncio.sleep(0)  # its done callback
    assert waits.given_up == 0 and ended == ["closed"]


async def test_results_and_errors_in_time_pass_through():
    waits = BoundedWaits()

    async def fails() -> None:
        raise ValueError("the read's own error")

    assert await waits.within(asyncio.sleep(0, result="answer"), 1) == "answer"
    with pytest.raises(ValueError, match="own error"):
        await waits.within(fails(), 1)
    assert waits.given_up == 0


async def test_a_cancelled_caller_gives_the_work_up_too():
    waits, ended = BoundedWaits(), []
    caller = asyncio.create_task(waits.within(slow_to_cancel(ended), 10))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert waits.given_up == 1
    await waits.end_all(timeout=5)
    await asyncio.sleep(0)
    assert waits.given_up == 0 and ended == ["closed"]
