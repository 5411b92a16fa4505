"""Every setting the service reads, in one pydantic-settings class (environment variables)."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.embedding_folder import shared_model_folder

DEFAULT_EMBEDDING_MODEL = "fastembed:sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Database: unset means an embedded PostgreSQL 18 + pgvector under MEMORY_DATA_DIR.
    database_url: str | None = None
    # A streaming replica of it: searches, lists and plain reads go there (app/db/read_pool.py).
    database_read_url: str | None = None
    # A read the replica has not answered within this long runs on the primary instead.
    read_replica_timeout_seconds: float = Field(3.0, gt=0, le=300)
    memory_data_dir: Path = Path(".data")
    db_pool_min_size: int = Field(2, ge=1)
    db_pool_max_size: int = Field(20, ge=1)
    migrate_on_start: bool = True
    # Database outages (app/db): a request waits this long for a connection, then gets 503
    # with Retry-After; /readyz waits at most READY_CHECK_TIMEOUT_SECONDS.
    db_unavailable_timeout_seconds: float = Field(5.0, gt=0, le=300)
    ready_check_timeout_seconds: float = Field(1.5, gt=0, le=60)

    # HTTP server
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # Server processes on the one socket, each with its own model, pools and workers
    # (app/serve_workers.py): one process keeps about one core busy.
    workers: int = Field(1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Slow or abusive clients (app/http_protocol.py): a request's headers must arrive within
    # HTTP_HEADER_TIMEOUT_SECONDS and fit HTTP_MAX_HEADER_BYTES; a body may pause at most
    # HTTP_BODY_TIMEOUT_SECONDS between reads.
    http_header_timeout_seconds: float = Field(10.0, gt=0)
    http_body_timeout_seconds: float = Field(30.0, gt=0)
    http_max_header_bytes: int = Field(32_768, ge=1024, le=1_048_576)
    # Operations (app/observability): "auto" logs JSON unless stderr is a terminal.
    log_format: Literal["auto", "json", "text"] = "auto"
    metrics_enabled: bool = True  # GET /metrics (no API key needed); false answers 404
    # OpenTelemetry traces over OTLP/HTTP (needs the [otel] extra); the SDK reads the
    # standard OTEL_* variables itself (README "Traces").
    otel_enabled: bool = False
    max_body_bytes: int = Field(1_048_576, ge=1024)
    max_import_bytes: int = Field(1_073_741_824, ge=1024)
    # Abuse limits (app/limits): per-key token bucket (0 = off; in-process, per process),
    # and Idempotency-Key records kept in Postgres.
    rate_limit_per_minute: int = Field(0, ge=0)
    rate_limit_burst: int | None = Field(None, ge=1)  # None: RATE_LIMIT_PER_MINUTE
    idempotency_ttl_seconds: float = Field(86_400.0, gt=0)
    idempotency_lock_seconds: float = Field(300.0, gt=0)

    # API keys (app/auth): a bootstrap admin key; without any key, only loopback is served
    # unless ALLOW_UNAUTHENTICATED says so on purpose.
    admin_api_key: SecretStr | None = Field(None, min_length=16)
    allow_unauthenticated: bool = False

    # Embeddings: "fastembed:<model>" (local, CPU) or "openai:<model>".
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_model_path: Path | None = None
    embedding_cache_dir: Path | None = None
    embedding_batch_size: int = Field(64, ge=1, le=2048)
    # Concurrent requests' texts wait up to this long to share one model call (0 = off: each
    # request calls the model itself); repeated texts are answered from an LRU cache of this
    # many vectors (0 = off). app/store/embed_batcher.py, embed_cache.py.
    embed_batch_window_ms: float = Field(2.0, ge=0, le=1000)
    embed_cache_size: int = Field(4096, ge=0, le=1_000_000)
    # Writes (embedding, then a transaction) run at most this many at once per process; the
    # rest wait, using no CPU, so searches and reads stay fast under a write-heavy load.
    # Unset: the CPU cores + 1 for a local model, no bound for a remote one; 0: no bound.
    # app/store/write_turns.py.
    write_concurrency: int | None = Field(None, ge=0, le=1024)
    # ONNX runtime's threads busy-waiting between calls (fastembed only): true trades CPU for
    # a little latency on an otherwise idle machine.
    embedding_spin_wait: bool = False
    # How far the local model's threads run below request handling and Postgres (0-19, as
    # `nice`): under load a search waits less behind other requests' embedding.
    embedding_nice: int = Field(10, ge=0, le=19)
    openai_api_key: str | None = None
    openai_base_url: str | None = None

    # Extraction LLM: "openai:<model>" or "anthropic:<model>"; unset, extraction answers 503.
    llm_model: str | None = None
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    llm_timeout_seconds: float = Field(60.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_max_output_tokens: int = Field(4096, ge=256)
    # Operations that fail validation get one repair call showing the model its errors.
    extraction_repair: bool = True

    # Background extraction jobs (procrastinate workers inside the app)
    extraction_concurrency: int = Field(4, ge=1, le=64)
    # LLM calls at once per process, sync /v1/extract and jobs together (a bill cap); a sync
    # request waits this long for a slot, then gets 503 with Retry-After.
    extraction_max_concurrency: int = Field(4, ge=1, le=256)
    extraction_wait_seconds: float = Field(10.0, ge=0)
    max_extraction_messages: int = Field(500, ge=1)
    job_max_attempts: int = Field(3, ge=1, le=20)
    job_retry_wait_seconds: float = Field(5.0, ge=0)
    job_poll_interval_seconds: float = Field(1.0, gt=0)
    job_heartbeat_seconds: float = Field(5.0, gt=0)
    job_stalled_after_seconds: float = Field(30.0, gt=0)
    shutdown_grace_seconds: float = Field(20.0, ge=0)

    # Search
    max_page_size: int = Field(1000, ge=1)
    max_offset: int = Field(10_000, ge=0)
    max_batch_items: int = Field(1000, ge=1)
    # Levels a stored value may nest (app/memories/json_guard.py); at most 192, so every
    # value accepted reads back whole (responses cannot carry 255 levels).
    max_value_depth: int = Field(64, ge=2, le=192)
    exact_search_threshold: int = Field(20_000, ge=0)
    hnsw_ef_search: int = Field(100, ge=1, le=1000)
    hnsw_ef_search_scoped: int = Field(1000, ge=1, le=1000)
    hnsw_max_scan_tuples: int = Field(200_000, ge=1)
    # Search modes (app/search): what a query without a mode gets, the keyword index's
    # language, and the hybrid fusion (defaults measured in bench/retrieval_eval).
    search_default_mode: Literal["hybrid", "semantic", "keyword"] = "hybrid"
    text_search_language: str = Field("english", pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    # (0.4 x the share of the query's idf a memory holds + 0.6 x its cosine: app/search/
    # fusion.py, chosen on bench/conversation_eval's dev half.)
    hybrid_keyword_weight: float = Field(0.4, ge=0)
    hybrid_semantic_weight: float = Field(0.6, ge=0)
    hybrid_candidates: int = Field(100, ge=1, le=10_000)
    bm25_k1: float = Field(1.2, ge=0)
    bm25_b: float = Field(0.75, ge=0, le=1)

    # TTL
    ttl_sweep_interval_seconds: float = Field(60.0, gt=0)

    # Webhooks (app/webhooks): receivers on private, loopback or link-local addresses are
    # refused unless allowed; attempt n waits base x 2^(n-1) (with jitter, at most the max);
    # after the last attempt a delivery is failed (redeliver it from the log).
    webhook_allow_private_urls: bool = False
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(12, ge=1, le=50)
    webhook_retry_base_seconds: float = Field(5.0, gt=0)
    webhook_retry_max_seconds: float = Field(3600.0, gt=0)
    # Only a fallback: workers wake on a NOTIFY at commit and at known retry times, so this
    # bounds the delay of a missed notification (behind a transaction pooler, say) and is
    # otherwise the one query an idle replica makes.
    webhook_poll_seconds: float = Field(30.0, gt=0, le=600)
    webhook_concurrency: int = Field(8, ge=1, le=256)
    webhook_log_retention_hours: float = Field(168.0, gt=0)

    @field_validator("embedding_model")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        provider, _, name = value.partition(":")
        if provider not in ("fastembed", "openai") or not name:
            raise ValueError(
                "EMBEDDING_MODEL must be 'fastembed:<model>' or 'openai:<model>', "
                f"got {value!r}"
            )
        return value

    @field_validator("llm_model")
    @classmethod
    def _known_llm_provider(cls, value: str | None) -> str | None:
        if not value:
            return None
        provider, _, name = value.partition(":")
        if provider not in ("openai", "anthropic") or not name:
            raise ValueError(
                f"LLM_MODEL must be 'openai:<model>' or 'anthropic:<model>', got {value!r}")
        return value

    @field_validator("database_read_url")
    @classmethod
    def _read_url_parses(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            conninfo_to_dict(value)
        except ProgrammingError as exc:
            raise ValueError("DATABASE_READ_URL must be a PostgreSQL connection string such as "
                             f"postgresql://user:pass@replica:5432/db: {exc}") from None
        return value

    @field_validator("embedding_model_path", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # not Path(""), the working directory

    @model_validator(mode="after")
    def _find_shared_model(self) -> "Settings":
        """Unset: the folder `make run` would export (app/embedding_folder.py), if any."""
        if self.embedding_model_path is None and self.embedding_provider == "fastembed":
            self.embedding_model_path = shared_model_folder(self.embedding_model_name)
        return self

    @cached_property
    def embedding_provider(self) -> str:
        return self.embedding_model.partition(":")[0]

    @cached_property
    def embedding_model_name(self) -> str:
        return self.embedding_model.partition(":")[2]
