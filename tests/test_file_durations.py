"""The suite's order names real files: a renamed long file would silently go back to the
end of the run (tests/file_durations.py)."""

from tests.conftest import REPO
from tests.file_durations import LONG_FILES


def test_every_long_file_named_exists():
    assert [f for f in LONG_FILES if not (REPO / f).is_file()] == []
