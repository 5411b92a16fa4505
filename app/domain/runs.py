"""Runs, threads and extraction profiles of LangGraph's API (a run's job is a JobRecord).

A thread is (owner_key, thread_id), a None owner being the admin scope (app/runs/scope.py)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.jobs import JobRecord

DEFAULT_PROFILE = "memory"  # seeded by migration 0006; replaceable, never deleted


@dataclass
class ThreadRecord:
    id: uuid.UUID
    thread_id: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    owner_key: str | None


@dataclass
class RunRecord:
    job: JobRecord
    thread_id: str
    assistant_id: str
    multitask_strategy: str
    metadata: dict[str, Any]


@dataclass
class ProfileRecord:
    name: str
    description: str
    namespace: list[str]
    instructions: str | None
    kinds: list[dict[str, Any]] | None
    enable_inserts: bool
    enable_updates: bool
    enable_deletes: bool
    created_at: datetime
    updated_at: datetime
