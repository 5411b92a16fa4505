"""How busy the machine was with work that is not the benchmark's (Linux /proc only).

The benchmark's own processes are this one and its descendants (the server subprocess)
plus the embedded postmaster and its backends. Everything else the CPUs did during a phase
(other people's test runs, say) is reported next to the phase, so a disturbed measurement
is visible instead of silently slow.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _machine_busy_ticks() -> int | None:
    try:
        fields = PROC.joinpath("stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    guest = sum(values[8:10]) if len(values) > 9 else 0  # already counted in user/nice
    return sum(values) - idle - guest


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, utime+stime ticks incl. waited-for children, command line)."""
    out = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = entry.joinpath("stat").read_text()
            cmd = entry.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        rest = stat[stat.rfind(")") + 2 :].split()
        ppid = int(rest[1])
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        out[int(entry.name)] = (ppid, ticks, cmd)
    return out


def _ours(procs: dict[int, tuple[int, int, str]], marker: str | None) -> set[int]:
    roots = {os.getpid()}
    if marker:
        roots |= {pid for pid, (_, _, cmd) in procs.items() if marker in cmd}
    return descendants(roots, procs)


def descendants(roots: set[int], procs: dict[int, tuple[int, int, str]]) -> set[int]:
    """`roots` and every process below them."""
    ours, changed = set(roots), True
    while changed:
        changed = False
        for pid, (ppid, _, _) in procs.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                changed = True
    return ours


@dataclass
class Snapshot:
    busy: int | None
    ours: int


class CpuWatch:
    """Snapshots around a phase: the CPU share others used, in % of all cores."""

    def __init__(self, marker: str | None = None) -> None:
        self.marker = marker  # a string in the embedded postmaster's command line
        self.available = PROC.joinpath("stat").exists()

    def snapshot(self) -> Snapshot:
        if not self.available:
            return Snapshot(None, 0)
        procs = _processes()
        ours = _ours(procs, self.marker)
        return Snapshot(_machine_busy_ticks(), sum(procs[p][1] for p in ours if p in procs))

    @staticmethod
    def others_percent(start: Snapshot, end: Snapshot, seconds: float) -> float | None:
        if start.busy is None or end.busy is None or seconds <= 0:
            return None
        others = (end.busy - start.busy) - (end.ours - start.ours)
        return max(0.0, 100.0 * others / _TICK / seconds / (os.cpu_count() or 1))


def load_average() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"
