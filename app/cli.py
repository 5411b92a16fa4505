"""memory-service: the command line. Every command works on the database the settings name
(the embedded one too, while the server runs) through the same services as the HTTP API."""

import asyncio
import json
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import BaseModel, ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from app.auth.schemas import KeyCreate
from app.cli_startup import load_settings, prepare_to_serve
from app.domain.keys import KeyRecord
from app.domain.time_range import FORMAT, parse_instant
from app.errors import AppError
from app.history.as_of_schemas import MemoryAsOf, NetChangeOut
from app.lifecycle.embedding_model import EmbeddingModelMismatch
from app.memories.namespaces import parse_dotted
from app.runtime import Runtime, open_runtime
from app.store.embedders import EmbedderUnavailable
from app.store.lazy_embedder import open_embedder

cli = typer.Typer(help="Long-term memory for LLM agents.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
PrefixOption = Annotated[str, typer.Option("--prefix", help="Namespace prefix, dotted: "
                                           "memories.alice")]


def _run(work: Callable[[Runtime], Awaitable[None]], *, embeds: bool = False,
         check_model: bool = True, migrate_schema: bool | None = None) -> None:
    """Open the runtime, run `work`, and turn expected failures into a message + exit 1.
    Only a command that `embeds` loads the model, first (app/store/lazy_embedder.py)."""
    settings = load_settings()
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)

    async def main() -> None:
        embedder = await open_embedder(settings, embeds=embeds)
        try:
            async with open_runtime(settings, embedder=embedder, check_model=check_model,
                                    migrate_schema=migrate_schema) as runtime:
                await work(runtime)
        finally:
            await embedder.aclose()

    try:
        asyncio.run(main())
    except (AppError, EmbeddingModelMismatch, EmbedderUnavailable, OSError) as exc:
        _fail(exc)


def _fail(exc: Exception) -> NoReturn:
    typer.echo(f"error: {getattr(exc, 'detail', None) or exc}", err=True)
    raise typer.Exit(1) from None


def _prefix(text: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Check a --prefix before any connection or model is opened."""
    try:
        return parse_dotted(text, field="prefix", allow_empty=allow_empty)
    except AppError as exc:
        _fail(exc)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=None, transient=False)


@cli.command()
def serve() -> None:
    """Start the HTTP server on HOST:PORT (embedded Postgres when DATABASE_URL is unset);
    WORKERS server processes share the socket."""
    # Imported here: the web stack doubles the start-up time of every other command.
    from app.observability.logging import configure_logging
    from app.serve_workers import serve_one, serve_workers

    settings = load_settings()
    # or refuse, in a line or two, with exit status 2
    listener, embedder = prepare_to_serve(settings)
    configure_logging(settings.log_level, settings.log_format)
    if settings.workers > 1:
        # The model was loaded to check it; each worker loads its own, the parent drops it.
        del embedder
        raise typer.Exit(serve_workers(settings, listener))
    serve_one(settings, listener, embedder)


@cli.command()
def migrate() -> None:
    """Apply pending migrations to the database the settings name, then exit."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # each one applied

    async def work(runtime: Runtime) -> None:
        typer.echo("database is up to date")

    _run(work, check_model=False, migrate_schema=True)


@cli.command()
def forget(prefix: PrefixOption,
           dry_run: Annotated[bool, typer.Option(help="Only count what would go")] = False
           ) -> None:
    """Erase everything under a prefix: items, vectors, keyword index, history, jobs."""
    namespace_prefix = _prefix(prefix)

    async def work(runtime: Runtime) -> None:
        counts = await runtime.forget.forget(namespace_prefix, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        typer.echo(f"{verb}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))

    _run(work)


@cli.command()
def export(prefix: Annotated[str, typer.Option("--prefix", help="Namespace prefix, dotted; "
                                               "empty exports everything")] = "") -> None:
    """Write a prefix's memories to stdout as JSON Lines."""
    namespace_prefix = _prefix(prefix, allow_empty=True)

    async def work(runtime: Runtime) -> None:
        async for line in runtime.transfer.export(namespace_prefix):
            sys.stdout.write(line)

    _run(work)


@cli.command(name="import")
def import_(file: Annotated[Path, typer.Argument(help="A JSON Lines file", exists=True,
                                                 dir_okay=False, readable=True)]) -> None:
    """Upsert memories from JSON Lines (our export, or a plain LangGraph store's rows)."""
    total = sum(1 for _ in file.open(encoding="utf-8", errors="replace"))

    async def work(runtime: Runtime) -> None:
        with _progress() as bar:
            task = bar.add_task(f"importing {file.name}", total=total)
            report = await runtime.transfer.import_lines(
                _file_lines(file), progress=lambda n: bar.update(task, completed=n),
                max_value_depth=runtime.settings.max_value_depth, expected_lines=total)
        typer.echo(f"inserted {report.inserted}, updated {report.updated}, "
                   f"unchanged {report.unchanged}, rejected {len(report.rejected)}")
        for rejected in report.rejected:
            typer.echo(f"line {rejected['line']}: {rejected['error']}", err=True)
        if report.rejected:
            raise typer.Exit(1)

    _run(work, embeds=True)


@cli.command()
def reindex() -> None:
    """Re-embed every memory with EMBEDDING_MODEL (resumes where an interrupted run stopped)."""
    async def work(runtime: Runtime) -> None:
        with _progress() as bar:
            task = bar.add_task(f"re-embedding with {runtime.embedder.model}", total=None)
            result = await runtime.reindex.reindex(
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        typer.echo(f"{result['vectors']} vectors now made by {result['model']} "
                   f"({result['dims']} dims)")

    _run(work, embeds=True, check_model=False)


@cli.command()
def stats(prefix: Annotated[str, typer.Option("--prefix", help="Namespace prefix, dotted")] = ""
          ) -> None:
    """Memories, namespaces, bytes, vectors, last write and jobs under a prefix, as JSON."""
    namespace_prefix = _prefix(prefix, allow_empty=True)

    async def work(runtime: Runtime) -> None:
        found = await runtime.stats.stats(namespace_prefix)
        typer.echo(json.dumps(found, default=str, indent=2))

    _run(work)


TimeOption = Annotated[str, typer.Option(help="ISO 8601 date or date-time (a date is its "
                                         "start, a time without offset is UTC)")]
NamespaceArgument = Annotated[str, typer.Argument(help="Namespace, dotted; the namespaces "
                                                  "below it too")]
LimitOption = Annotated[int, typer.Option(help="At most this many lines")]


@cli.command(name="as-of")
def as_of(namespace: NamespaceArgument, at: TimeOption,
          key: Annotated[str | None, typer.Option(help="Only this memory of NAMESPACE")] = None,
          limit: LimitOption = 100, offset: int = 0) -> None:
    """Memories under a namespace as they stood at a time, from the history (JSON Lines)."""
    prefix, moment = _prefix(namespace), _time("at", at)

    async def work(runtime: Runtime) -> None:
        reader = runtime.history.as_of
        found = [await reader.item(prefix, key, moment)] if key is not None else \
            await reader.namespace(prefix, moment, limit=limit, offset=offset)
        _lines([MemoryAsOf.of(i) for i in found], limit, offset)

    _run(work)


@cli.command()
def changes(namespace: NamespaceArgument, since: TimeOption,
            until: Annotated[str | None, typer.Option(help="Default: now")] = None,
            limit: LimitOption = 100, offset: int = 0) -> None:
    """What changed under a namespace after SINCE, up to UNTIL: net per memory (JSON Lines)."""
    prefix, start = _prefix(namespace), _time("since", since)
    end = _time("until", until) if until else datetime.now(UTC)

    async def work(runtime: Runtime) -> None:
        found = await runtime.history.as_of.changes(prefix, start, end, limit=limit,
                                                    offset=offset)
        _lines([NetChangeOut.of(c) for c in found], limit, offset)

    _run(work)


def _time(field: str, text: str) -> datetime:
    try:
        moment = parse_instant(field, text)
    except AppError as exc:
        _fail(exc)
    if moment is None:
        _fail(ValueError(f"{field} must be {FORMAT}"))
    return moment


def _lines(rows: list[BaseModel], limit: int, offset: int) -> None:
    for row in rows:
        typer.echo(row.model_dump_json())
    if len(rows) == limit:  # a full page: there may be more
        typer.echo(f"{limit} shown; the next ones: --offset {offset + limit}", err=True)


keys_cli = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
GrantOption = Annotated[list[str], typer.Option(help="Namespace prefix, dotted ('' for "
                                                "all); repeat for more")]


@keys_cli.command("create")
def create_key(name: Annotated[str, typer.Option(help="What the key is for")],
               identity: Annotated[str | None, typer.Option(
                   help="The user it acts as: fills {user_id}")] = None,
               read: GrantOption = [],  # noqa: B006 (typer reads the default, never mutates)
               write: GrantOption = [],  # noqa: B006
               admin: Annotated[bool, typer.Option(help="May manage keys and profiles; "
                                                   "reads and writes everything")] = False
               ) -> None:
    """Create a key; prints it once (stdout), its id and grants (stderr)."""
    try:
        request = KeyCreate(name=name, identity=identity, admin=admin, grants=[
            *({"prefix": _prefix(p, allow_empty=True), "access": "read"} for p in read),
            *({"prefix": _prefix(p, allow_empty=True), "access": "write"} for p in write)])
    except ValidationError as exc:
        _fail(ValueError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                   for e in exc.errors())))

    async def work(runtime: Runtime) -> None:
        record, key = await runtime.keys.create(request)
        typer.echo(key)
        typer.echo(f"created key {record.id} ({record.visible_prefix}...): "
                   f"{_describe(record)}; it is shown only now", err=True)

    _run(work)


@keys_cli.command("list")
def list_keys(all: Annotated[bool, typer.Option("--all", help="Include revoked keys")] = False
              ) -> None:
    """One line per key: id, visible prefix, name, grants, last use."""
    async def work(runtime: Runtime) -> None:
        for r in await runtime.keys.list(include_revoked=all):
            state = f"revoked {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else \
                f"last used {r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "never used"
            typer.echo(f"{r.id}  {r.visible_prefix}...  {r.name!r}  {_describe(r)}  {state}")

    _run(work)


@keys_cli.command("revoke")
def revoke_key(key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id (keys list)")]
               ) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    async def work(runtime: Runtime) -> None:
        record = await runtime.keys.revoke(key_id)
        typer.echo(f"revoked {record.id} ({record.visible_prefix}...)")

    _run(work)


def _describe(record: KeyRecord) -> str:
    grants = ", ".join(f"{g['access']} {'.'.join(g['prefix']) or '(all)'}"
                       for g in record.grants)
    who = f"as {record.identity}, " if record.identity else ""
    return who + ("admin" if record.admin else grants or "no grants")


async def _file_lines(file: Path) -> AsyncIterator[bytes]:
    """Bytes, as the HTTP import reads them: a line that is not UTF-8 is rejected by number."""
    with file.open("rb") as handle:
        for line in handle:
            yield line


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
