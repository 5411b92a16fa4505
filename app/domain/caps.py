"""Caps whose size is a setting, checked in the service layer so every door (v1, /store,
tools, MCP, runs) answers the same 422 naming the cap and its setting."""

from typing import Any

from app.config import Settings
from app.errors import InvalidInput


def check_page(settings: Settings, limit: int, offset: int) -> None:
    if not 1 <= limit <= settings.max_page_size:
        raise InvalidInput(f"limit must be between 1 and {settings.max_page_size} "
                           "(MAX_PAGE_SIZE)")
    if not 0 <= offset <= settings.max_offset:
        raise InvalidInput(f"offset must be between 0 and {settings.max_offset} (MAX_OFFSET)")


def check_messages(settings: Settings, messages: list[Any]) -> None:
    cap = settings.max_extraction_messages
    if len(messages) > cap:
        raise InvalidInput(f"{len(messages)} messages in one extraction; at most {cap} are "
                           "allowed (MAX_EXTRACTION_MESSAGES): send the recent part of the "
                           "conversation")
