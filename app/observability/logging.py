"""Log lines as JSON objects (one a line) or plain text, each carrying the request id or
job id of the work that emitted it, and (tracing on) the current span's trace and span ids.

The stdlib's logging with a 30-line formatter rather than a dependency: the fields we
want are few, and every library's records (uvicorn, procrastinate, httpx) pass through it.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.observability import context, tracing

# Attributes every LogRecord has; anything else on a record came as `extra=` and is kept.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName", "request_id", "job_id", "trace_id", "span_id",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


CONTENT_LOGGERS = ("sse_starlette", "mcp", "anthropic", "openai")
IDS = ("request_id", "job_id", "trace_id", "span_id")


class ContextFilter(logging.Filter):
    """Stamps each record with the current request, job, trace and span ids (None outside
    them): a line found in the logs leads to its trace, and a slow span to its lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get()
        record.job_id = context.job_id.get()
        record.trace_id, record.span_id = tracing.current_ids() or (None, None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in IDS:
            if getattr(record, name, None):
                entry[name] = getattr(record, name)
        entry.update((k, v) for k, v in record.__dict__.items()
                     if k not in _STANDARD and not k.startswith("_"))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{name}={getattr(record, name)}" for name in IDS
                       if getattr(record, name, None))
        return f"{text} [{ids}]" if ids else text


def use_json(log_format: str) -> bool:
    """"auto": JSON unless a person is reading (stderr is a terminal)."""
    return log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())


def configure_logging(level: str, log_format: str) -> None:
    """One handler on the root logger, to stderr; every library's loggers propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if use_json(log_format) else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # These log what they carry at debug: sse_starlette each MCP response chunk (memory
    # content), the LLM SDKs their request options (conversations). Never below info.
    for name in CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    logging.captureWarnings(True)  # warnings become log lines too, not bare stderr text
