"""The runtime's shutdown is bounded: a background worker that loses its cancel (as the
webhook worker did with 3.11's asyncio.wait_for) is named in the log, and the pools still
close, instead of the process hanging in its shutdown for good."""

import asyncio
import logging
import time

import app.runtime as runtime_module
from app.runtime import open_runtime


async def test_a_worker_that_ignores_its_cancel_is_logged_not_waited_for(
        settings, embedder, monkeypatch, caplog):
    released = asyncio.Event()

    async def deaf_sweeper(store, interval):
        while not released.is_set():  # swallows every cancel until the test lets it go
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue

    monkeypatch.setattr(runtime_module, "sweep_expired_forever", deaf_sweeper)
    monkeypatch.setattr(runtime_module, "BACKGROUND_STOP_SECONDS", 0.5)
    async def open_and_close():
        async with open_runtime(settings, embedder=embedder, background=True) as runtime:
            return runtime, time.monotonic()

    opening = asyncio.create_task(open_and_close())
    try:
        done, _ = await asyncio.wait({opening}, timeout=20)
        assert done, "the runtime's shutdown waited for the worker that ignores its cancel"
        runtime, closing = opening.result()
        assert time.monotonic() - closing < 5
        assert runtime.pool.closed
        assert ("background task ttl-sweeper did not stop within 0.5 s of its cancel"
                in caplog.text)
        assert [r.levelno for r in caplog.records if "did not stop" in r.message] \
            == [logging.ERROR]
    finally:
        released.set()
        await asyncio.wait({opening}, timeout=10)
