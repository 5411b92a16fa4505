"""memory-service: the command line (serve, migrate)."""

import asyncio
import logging

import typer
import uvicorn

from app.config import Settings
from app.runtime import open_runtime

cli = typer.Typer(help="Long-term memory for LLM agents.", no_args_is_help=True)


@cli.command()
def serve() -> None:
    """Start the HTTP server on HOST:PORT (embedded Postgres when DATABASE_URL is unset)."""
    settings = Settings()
    uvicorn.run("app.main:create_app", factory=True, host=settings.host, port=settings.port,
                log_level=settings.log_level)


@cli.command()
def migrate() -> None:
    """Apply pending migrations to the database the settings name, then exit."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    async def run() -> None:
        async with open_runtime(Settings(), migrate_schema=True):
            pass

    asyncio.run(run())
    typer.echo("database is up to date")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
