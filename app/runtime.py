"""The resources a running service holds: database, pool, embedder, store, services.

The server's lifespan and the CLI open the same runtime, so both act on the same database
through the same services.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from app.auth.keys import KeyService
from app.background import cancel_until_done
from app.config import Settings
from app.db.embedded import start_embedded_postgres
from app.db.migrate import migrate, schema_ready
from app.db.pool import open_pool
from app.db.read_pool import ReadReplica
from app.db.unavailable import DatabaseHealth
from app.extraction.llm import LLMClient, create_llm_client
from app.extraction.service import ExtractionService
from app.history.service import HistoryService
from app.jobs.queue import JobQueue
from app.jobs.service import JobService
from app.lifecycle.deferred_index import rebuild_left_aside
from app.lifecycle.embedding_model import check_embedding_model
from app.lifecycle.forget import ForgetService
from app.lifecycle.reindex import ReindexService
from app.lifecycle.stats import StatsService
from app.lifecycle.transfer import TransferService
from app.memories.service import MemoryService
from app.repositories.connection import AsyncConnectionPool
from app.runs.profiles import ProfileService
from app.runs.service import RunService
from app.search.config import SearchConfig
from app.store.embedders import Embedder, create_embedder
from app.store.memory_store import MemoryStore, SearchTuning
from app.store.sweeper import sweep_expired_forever
from app.store.write_turns import write_concurrency
from app.tools.service import ToolService
from app.webhooks.service import WebhookService
from app.webhooks.worker import WebhookWorker

log = logging.getLogger(__name__)
# Background workers stop at once when cancelled; this long means one ignores it.
BACKGROUND_STOP_SECONDS = 10.0


@dataclass
class Runtime:
    settings: Settings
    database_url: str
    pool: AsyncConnectionPool
    embedder: Embedder
    store: MemoryStore
    memories: MemoryService
    history: HistoryService
    extraction: ExtractionService
    jobs: JobService
    queue: JobQueue
    forget: ForgetService
    stats: StatsService
    transfer: TransferService
    reindex: ReindexService
    tools: ToolService
    profiles: ProfileService
    runs: RunService
    keys: KeyService
    db_health: DatabaseHealth
    webhooks: WebhookService
    replica: ReadReplica | None = None  # DATABASE_READ_URL's, when set


def database_url(settings: Settings) -> str:
    return settings.database_url or start_embedded_postgres(settings.memory_data_dir)


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings, *, embedder: Embedder | None = None,
                       llm: LLMClient | None = None, migrate_schema: bool | None = None,
                       background: bool = False, check_model: bool = True,
                       exposed_host: str | None = None) -> AsyncIterator[Runtime]:
    """Open everything; `background` also runs the workers a server runs (TTL sweeper,
    extraction worker). `exposed_host` refuses to serve it with no API key unless it is
    loopback. `check_model` refuses a database whose vectors another embedding
    model made (off only for `reindex`, which fixes exactly that)."""
    url = await asyncio.to_thread(database_url, settings)
    pool = await open_pool(url, min_size=settings.db_pool_min_size,
                           max_size=settings.db_pool_max_size,
                           timeout=settings.db_unavailable_timeout_seconds)
    tasks: list[asyncio.Task] = []
    queue: JobQueue | None = None
    owned_llm: LLMClient | None = None
    owned_embedder: Embedder | None = None
    replica: ReadReplica | None = None
    try:
        if settings.database_read_url:  # never migrated: it follows the primary
            replica = await ReadReplica.open(settings.database_read_url,
                                             min_size=settings.db_pool_min_size,
                                             max_size=settings.db_pool_max_size,
                                             timeout=settings.read_replica_timeout_seconds)
        if embedder is None:  # likewise an embedder we create
            embedder = owned_embedder = await create_embedder(settings)
        store = MemoryStore(pool, embedder, SearchTuning(
            exact_threshold=settings.exact_search_threshold,
            ef_search=settings.hnsw_ef_search,
            ef_search_scoped=settings.hnsw_ef_search_scoped,
            max_scan_tuples=settings.hnsw_max_scan_tuples,
        ), SearchConfig.from_settings(settings),
            write_concurrency=write_concurrency(settings.write_concurrency,
                                                settings.embedding_provider))
        migrated = settings.migrate_on_start if migrate_schema is None else migrate_schema
        if migrated:
            await migrate(url, store)
        if check_model and (migrated or await schema_ready(pool)):
            await check_embedding_model(pool, embedder)
        keys = KeyService(pool, settings)
        if exposed_host is not None:  # before any worker starts: a refusal leaves none behind
            await keys.check_exposure(exposed_host)
        if background:
            tasks.append(asyncio.create_task(
                sweep_expired_forever(store, settings.ttl_sweep_interval_seconds),
                name="ttl-sweeper"))
            tasks.append(asyncio.create_task(rebuild_left_aside(pool),
                                             name="vector-index-rebuild"))
        memories = MemoryService(store, settings, replica)
        if llm is None:  # a client we create is ours to close
            llm = owned_llm = create_llm_client(settings)
        extraction = ExtractionService(memories, llm, settings)
        jobs = JobService(pool, extraction, settings)
        queue = jobs.queue = JobQueue(url, settings, jobs.run, jobs.hand_back)
        await queue.open()
        if background:  # deliveries (app/webhooks/worker.py), in every replica
            tasks.append(asyncio.create_task(WebhookWorker(pool, settings).run_forever(),
                                             name="webhook-worker"))
        if background and llm is not None:
            await queue.start_worker()
        elif background:  # a worker without a model would fail every job it took
            queue.leave_jobs("LLM_MODEL is not set")
        profiles = ProfileService(pool)
        yield Runtime(
            settings=settings, database_url=url, pool=pool, embedder=embedder, store=store,
            memories=memories, history=HistoryService(pool, memories), extraction=extraction,
            jobs=jobs, queue=queue, forget=ForgetService(pool, queue), stats=StatsService(pool),
            transfer=TransferService(pool, memories),
            reindex=ReindexService(pool, embedder, settings.embedding_batch_size * 4),
            tools=ToolService(memories, jobs, settings),
            profiles=profiles, runs=RunService(pool, jobs, profiles),
            keys=keys, db_health=DatabaseHealth(settings.db_unavailable_timeout_seconds),
            webhooks=WebhookService(pool, settings), replica=replica,
        )
    finally:
        await _stop_background(tasks)
        if queue is not None:
            await queue.close()
        for owned in (owned_llm, owned_embedder):
            if owned is not None:
                await owned.aclose()
        if replica is not None:
            await replica.close()
        await pool.close()


async def _stop_background(tasks: list[asyncio.Task]) -> None:
    """Cancel the background workers until they end, boundedly: one that will not stop is
    named in the log instead of hanging the shutdown."""
    for task in await cancel_until_done(tasks, within=BACKGROUND_STOP_SECONDS):
        log.error("background task %s did not stop within %g s of its cancel; leaving it",
                  task.get_name(), BACKGROUND_STOP_SECONDS)
