"""Abuse limits: input caps, per-key rate limits, the extraction concurrency cap and
Idempotency-Key replays."""
