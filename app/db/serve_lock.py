"""One server per embedded data folder.

The serving process holds an exclusive flock on MEMORY_DATA_DIR/serve.lock for as long as
it lives; the kernel drops it when the process ends, however it ends, so a crash never
leaves the folder locked. Other commands (keys, stats...) do not take it: they may share
the database while the server runs.
"""

import fcntl
import os
from pathlib import Path
from typing import IO


class DataFolderInUse(RuntimeError):
    pass


_held: list[IO[str]] = []  # open for the life of the process: closing would unlock


def hold_data_folder(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = data_dir.resolve()
    handle = (folder / "serve.lock").open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "another process"
        handle.close()
        raise DataFolderInUse(f"the data folder {folder} is already served by {owner}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()}")
    handle.flush()
    _held.append(handle)
