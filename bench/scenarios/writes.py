"""Writes: creates per second, single and batched, and embedder calls per item.

Throughput is measured over HTTP against the real `memory-service serve` process, writing
into whatever table is loaded (so inserts pay for the HNSW graph and triggers at that
size), under a `bench-writes` namespace that is deleted afterwards. Embedder calls cannot
be read from the server process, so they are counted in this process: the same app built
with `create_app(settings, embedder=<counting wrapper>)` and driven through
httpx.ASGITransport.
"""

from __future__ import annotations

import itertools

import httpx
import psycopg

from app.config import Settings
from app.main import create_app
from bench import data
from bench.context import BenchContext, model_path
from bench.measure import closed_loop
from bench.report import HeadlineRow, Report, fmt_ms, table
from bench.scenarios import Scenario

ROOT = "bench-writes"


class CountingEmbedder:
    """Wraps an embedder and counts calls and texts (the server's own `.calls` is private)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model = inner.model
        self.dims = inner.dims
        self.calls = 0
        self.texts = 0

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if texts:
            self.calls += 1
            self.texts += len(texts)
        return await self.inner.embed(texts)


class Writes(Scenario):
    name = "writes"
    title = "Writes: creates per second and embedder calls per item"

    async def run(self, ctx: BenchContext) -> None:
        opts = ctx.opts
        need = opts.write_singles * (len(opts.write_concurrency) + 1) \
            + opts.write_batches * opts.write_batch_size + 2000
        texts, _ = data.generate_texts(opts.seed + 1000, need)
        fresh = iter(texts)
        serial = itertools.count()
        table_rows = ctx.loaded_size or 0
        results: dict = {"table_rows": table_rows, "http": [], "counts": []}

        def single(text: str) -> dict:
            n = next(serial)
            return {"namespace": [ROOT, f"w{n % 20:02d}"], "key": f"k{n}", "content": text}

        client = await ctx.http()

        async def create_one(body: dict) -> None:
            r = await client.post("/v1/memories", json=body)
            r.raise_for_status()

        async def create_batch(items: list[dict]) -> None:
            r = await client.post("/v1/memories/batch", json={"items": items})
            r.raise_for_status()

        with ctx.phase("writes: HTTP single and batched creates"):
            # warm-up: a few of each
            for _ in range(5):
                await create_one(single(next(fresh)))
            await create_batch([single(next(fresh)) for _ in range(opts.write_batch_size)])
            for c in opts.write_concurrency:
                bodies = [single(next(fresh)) for _ in range(opts.write_singles)]
                stats = await closed_loop(create_one, bodies, c)
                results["http"].append({"kind": "single", "concurrency": c, "items": stats.n,
                                        "items_per_s": stats.throughput,
                                        "p50": stats.p50, "p95": stats.p95})
                ctx.log(f"    single creates c={c}: {stats.throughput:.1f}/s, "
                        f"p50 {stats.p50:.1f} ms")
            batches = [[single(next(fresh)) for _ in range(opts.write_batch_size)]
                       for _ in range(opts.write_batches)]
            stats = await closed_loop(create_batch, batches, 1)
            results["http"].append({
                "kind": f"batch of {opts.write_batch_size}", "concurrency": 1,
                "items": stats.n * opts.write_batch_size,
                "items_per_s": stats.throughput * opts.write_batch_size,
                "p50": stats.p50, "p95": stats.p95})
            ctx.log(f"    batched creates: {stats.throughput * opts.write_batch_size:.1f} "
                    f"items/s, p50 {stats.p50:.0f} ms per batch")

        with ctx.phase("writes: embedder calls per item (in process, ASGITransport)"):
            counter = CountingEmbedder(ctx.embedder)
            settings = Settings(database_url=ctx.url, embedding_model_path=model_path())
            app = create_app(settings, embedder=counter)
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://bench") as local:
                async def counted(label: str, items: int, work) -> None:
                    calls, embedded = counter.calls, counter.texts
                    await work()
                    results["counts"].append({
                        "operation": label, "items": items, "calls": counter.calls - calls,
                        "texts": counter.texts - embedded})

                singles = [single(next(fresh)) for _ in range(20)]

                async def create_singles() -> None:
                    for body in singles:
                        (await local.post("/v1/memories", json=body)).raise_for_status()

                async def create_batches() -> None:
                    for _ in range(3):
                        items = [single(next(fresh)) for _ in range(opts.write_batch_size)]
                        r = await local.post("/v1/memories/batch", json={"items": items})
                        r.raise_for_status()

                async def replace(same: bool) -> None:
                    for body in singles:
                        content = body["content"] if same else body["content"] + " (updated)"
                        r = await local.put(f"/v1/memories/{body['key']}",
                                            params={"namespace": ".".join(body["namespace"])},
                                            json={"content": content})
                        r.raise_for_status()

                async def searches() -> None:
                    for body in singles:
                        r = await local.post("/v1/search", json={
                            "query": body["content"], "namespace_prefix": body["namespace"]})
                        r.raise_for_status()

                await counted("POST /v1/memories (single create)", 20, create_singles)
                await counted(f"POST /v1/memories/batch ({opts.write_batch_size} per call)",
                              3 * opts.write_batch_size, create_batches)
                await counted("PUT, same content (text unchanged)", 20,
                              lambda: replace(True))
                await counted("PUT, changed content", 20, lambda: replace(False))
                await counted("POST /v1/search with a query", 20, searches)

        with psycopg.connect(ctx.url, autocommit=True) as conn:
            conn.execute("DELETE FROM store WHERE prefix LIKE %s", (f"{ROOT}.%",))
        ctx.results[self.name] = results

    def report(self, ctx: BenchContext, out: Report) -> None:
        results = ctx.results.get(self.name)
        if not results:
            return
        single = max((r for r in results["http"] if r["kind"] == "single"),
                     key=lambda r: r["items_per_s"], default=None)
        batch = next((r for r in results["http"] if r["kind"] != "single"), None)
        if single and batch:
            out.add_headline(HeadlineRow(
                f"(info) creates/s over HTTP into a {results['table_rows']:,}-row table",
                f"single: {single['items_per_s']:.0f}/s (concurrency {single['concurrency']});"
                f" {batch['kind']}: {batch['items_per_s']:.0f} items/s",
                f"{batch['items_per_s'] / single['items_per_s']:.1f}x batched", None))
        rows = [[r["kind"], r["concurrency"], r["items"], f"{r['items_per_s']:.1f}",
                 fmt_ms(r["p50"]), fmt_ms(r["p95"])] for r in results["http"]]
        counts = [[r["operation"], r["items"], r["calls"], f"{r['calls'] / r['items']:.3f}",
                   f"{r['texts'] / r['items']:.2f}"] for r in results["counts"]]
        out.add_section(self.title, (
            f"Over HTTP to the real server, into a table already holding "
            f"{results['table_rows']:,} memories with its HNSW index (each insert also updates "
            "the graph). Latency is per request (a batch request carries "
            f"{ctx.opts.write_batch_size} items).\n\n"
            + table(["request", "concurrency", "items", "items/s", "p50 ms", "p95 ms"], rows)
            + "\nEmbedder calls, counted in process: `create_app(settings, embedder="
            "CountingEmbedder(...))` driven through httpx.ASGITransport (the server process's "
            "`embedder.calls` is not exposed over HTTP).\n\n"
            + table(["operation", "items", "embedder calls", "calls per item",
                     "texts embedded per item"], counts)))
