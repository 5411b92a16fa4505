"""The test files that take longest (setup, call and teardown of all their tests), listed
after the run: the suite must stay well under 10 minutes on 2 cores, and a file is what
xdist's --dist loadfile hands to one worker. Under xdist the reports reach the controller,
so the totals cover both workers."""

from collections import Counter

import pytest

SHOWN = 15
_seconds: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _seconds:
        return
    terminalreporter.write_sep("=", f"slowest {SHOWN} files, {sum(_seconds.values()):.0f} s "
                                    "of tests in all")
    for path, seconds in _seconds.most_common(SHOWN):
        terminalreporter.write_line(f"{seconds:7.1f}s {path}")
