"""The suite's time on 2 cores (it must stay well under 10 minutes). A file is what xdist's
--dist loadfile hands to one worker at a time, so:

- The longest files run first: one handed out last would keep a worker busy while the others
  idle (xdist's own order, most tests first, put them last). Makefile passes
  --no-loadscope-reorder so that this order stands.
- The test files that took longest (setup, call and teardown of all their tests) are listed
  after the run. Under xdist the reports reach the controller, so the totals cover every
  worker: keep LONG_FILES in step with that list (tests/test_file_durations.py checks
  that each still exists).
"""

import os
from collections import Counter

import pytest

SHOWN = int(os.environ.get("FILE_DURATIONS_SHOWN", "15"))  # 0: none; 1000: all
# Each took 24 s or more on CI (the list printed after a run), longest first.
LONG_FILES = (
    "tests/outage/test_worker_survives.py", "tests/readme/test_readme.py",
    "tests/ui/test_views_audit.py", "tests/jobs/test_durability.py",
    "tests/lifecycle/test_cli.py", "tests/cli/test_workers.py", "tests/ui/test_memory.py",
    "tests/replicas_read/test_replica_hang.py", "tests/hybrid/test_rules_in_every_mode.py",
    "tests/cli/test_embedded_processes.py", "tests/search/test_paging.py",
    "tests/replicas/test_replicas.py", "tests/runs/test_reflection_executor.py",
    "tests/jobs/test_shutdown.py", "tests/ui/test_sign_in.py",
)
_seconds: Counter[str] = Counter()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _seconds or not SHOWN:
        return
    terminalreporter.write_sep("=", f"slowest {SHOWN} files, {sum(_seconds.values()):.0f} s "
                                    "of tests in all")
    for path, seconds in _seconds.most_common(SHOWN):
        terminalreporter.write_line(f"{seconds:7.1f}s {path}")
