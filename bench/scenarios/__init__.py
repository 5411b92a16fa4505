"""Benchmark scenarios. Each is a module with one `Scenario` subclass, registered below.

The runner asks every selected scenario which data-set sizes it needs, loads each size once
(smallest first), and calls `run_at(ctx, size)` on every scenario that asked for it; then
it calls `run(ctx)` on each, for work that needs no particular data set. A scenario keeps
its results in `ctx.results[name]` and renders its own part of RESULTS.md in `report()`.
To add one: write the module, add it to `registry()`.
"""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.context import BenchContext
    from bench.report import Report


class Scenario:
    name = ""
    title = ""

    def sizes(self, opts: Namespace) -> list[int]:
        """Data-set sizes (memory counts) this scenario needs loaded; none by default."""
        return []

    async def run_at(self, ctx: BenchContext, size: int) -> None:
        """Measure with the first `size` memories loaded."""

    async def run(self, ctx: BenchContext) -> None:
        """Measure what needs no particular data set (after every size has run)."""

    def report(self, ctx: BenchContext, out: Report) -> None:
        """Add this scenario's headline rows, sections and plots to the report."""


def registry() -> dict[str, Scenario]:
    from bench.scenarios.debounce import Debounce
    from bench.scenarios.extraction import Extraction
    from bench.scenarios.growth import Growth
    from bench.scenarios.mixed_load import MixedLoad
    from bench.scenarios.search import Search
    from bench.scenarios.tenancy import Tenancy
    from bench.scenarios.writes import Writes

    # Order matters: at each size, search runs before growth (which reuses its cells).
    scenarios: list[Scenario] = [Search(), Growth(), Tenancy(), Writes(), Extraction(),
                                 Debounce(), MixedLoad()]
    return {s.name: s for s in scenarios}
